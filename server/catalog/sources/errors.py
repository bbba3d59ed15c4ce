"""What can go wrong reading a catalog source; every message is safe to show the merchant."""
from server.catalog.errors import CatalogError
from server.errors import AppError


class SourceError(CatalogError, AppError):
    """Root of catalog-source errors: a pull failed and the catalog was left as it was."""

    status = 502
    code = "source_failed"


class SourceNotSet(SourceError):
    """Raised when a store has no catalog source (or not the kind asked for)."""

    status = 404
    code = "no_source"


class SourceAuthError(SourceError):
    """Raised when the platform refuses the credentials (revoked, wrong, missing permission)."""

    status = 409
    code = "source_credentials"


class SourceUnavailable(SourceError):
    """Raised when the platform is down, answers 5xx, times out or keeps throttling (429)."""

    code = "source_unavailable"


class SourceSuspended(SourceError):
    """Raised when the platform says the store itself is closed, suspended or on a plan without the API."""

    status = 409
    code = "source_suspended"
