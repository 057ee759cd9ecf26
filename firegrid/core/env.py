"""Strict parsers for settings read from the environment: a bad value fails loudly at start-up."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} must be set.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int_map(name, default, *, minimum=0):
    """ "key=int,key=int" over a default mapping; unknown keys and bad numbers fail loudly."""
    result = dict(default)
    value = os.environ.get(name)
    if not value:
        return result
    for item in value.split(","):
        key, sep, number = item.partition("=")
        key = key.strip()
        if not sep or key not in default:
            raise ImproperlyConfigured(
                f"{name}: {item.strip()!r} is not one of {', '.join(default)}=<number>."
            )
        try:
            result[key] = int(number)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {number.strip()!r} for {key} is not an integer.") from None
        if result[key] < minimum:
            raise ImproperlyConfigured(f"{name}: {key}={result[key]} is below the minimum {minimum}.")
    return result
