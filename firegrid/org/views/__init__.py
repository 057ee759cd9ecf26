"""Pages of the organisation registry, one module per noun; all scoping is in firegrid.core.views."""

from firegrid.org.views.dashboard import home, portal_manager

__all__ = ["home", "portal_manager"]
