"""The root of what the catalog raises on purpose: ``except CatalogError`` catches each of them.

Each error keeps the base its callers already catch (a ``ValueError`` for what cannot be read, an
``AppError`` for what a page or the API answers with its own status) next to this root.
"""


class CatalogError(Exception):
    """Root of the catalog's own errors: a feed, an item, a fetch, a worker, a sync target, an import."""
