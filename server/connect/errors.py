"""What can go wrong while connecting a store to TikTok, each with the status a page answers with."""
from server.errors import AppError


class ConnectError(AppError):
    """Root of the errors the connect flow raises on purpose."""

    status = 409
    code = "connect_failed"


class NotConfigured(ConnectError):
    """Raised when this connector has no TikTok app id/secret, so nobody can connect."""

    code = "tiktok_app_not_configured"


class StateRejected(ConnectError):
    """Raised when the callback's ``state`` is missing, forged, reused, expired or someone else's."""

    status = 400
    code = "invalid_state"


class StoreNotReady(ConnectError):
    """Raised before anything is created at TikTok when the store's details would be refused
    (country, currency, phone); ``fields`` says which setting to fix."""

    status = 422
    code = "store_not_ready"


class NotConnected(ConnectError):
    """Raised when an action needs a stored TikTok token and the store has none."""

    code = "not_connected"


class SetupChoiceInvalid(ConnectError):
    """Raised when a chosen advertiser or Business Center is not one the token reaches."""

    status = 422
    code = "invalid_choice"


class TikTokUnavailable(ConnectError):
    """Raised when TikTok could not be reached or answer (network, rate limit, outage) or refused a
    step or a change; the message is safe to show. Every feature that calls TikTok raises this one."""

    status = 502
    code = "tiktok_unavailable"
