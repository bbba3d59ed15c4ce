"""What goes wrong with server events, each with the status the collector or the API answers."""
from server.errors import AppError


class EventsError(AppError):
    """Root of the errors the server-events feature raises on purpose."""

    status = 400
    code = "events_error"


class BeaconRefused(EventsError):
    """Raised when the collector refuses a beacon: too big, not JSON, an unknown event, a foreign
    origin, too many from one shopper. ``status`` is the HTTP status it answers with."""

    def __init__(self, message, *, status=400, code="bad_beacon"):
        super().__init__(message)
        self.status = status
        self.code = code


class ServerEventsOff(EventsError):
    """Raised when the store's backend reports an order but the store does not send server events
    (switched off, or not connected to TikTok)."""

    status = 409
    code = "server_events_off"


class CannotSendTestEvent(EventsError):
    """Raised when a test event is asked for a store without a test event code or a TikTok connection."""

    status = 409
    code = "test_event_unavailable"
