"""The `firegrid` console script: the same as manage.py, usable once the package is installed."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    if argv:
        argv[0] = "firegrid"
    execute_from_command_line(argv)
    return 0
