"""Pages of the place registry, one module per area; all scoping is in firegrid.core.views."""
