"""What can go wrong on the Ads page and in ``flask ads``, each with the status a page answers with."""
from server.errors import AppError


class AdsError(AppError):
    """Root of the errors the ads features raise on purpose."""

    status = 409
    code = "ads_failed"


class AdsUnavailable(AdsError):
    """Raised when the store cannot show or change ads: never connected, disconnected, or setup
    not finished (no advertiser account chosen yet)."""

    code = "ads_unavailable"


class CampaignNotFound(AdsError):
    """Raised when a campaign id is not one of the store's advertiser account's campaigns."""

    status = 404
    code = "campaign_not_found"


class InvalidChange(AdsError):
    """Raised when a requested change breaks a rule (a budget below the minimum, a date in the
    future, a campaign that is already paused); ``fields`` says which input is wrong."""

    status = 422
    code = "invalid_change"


class InvalidPeriod(AdsError):
    """Raised when a report period cannot be used (bad dates, a range that is too long)."""

    status = 422
    code = "invalid_period"


class TikTokUnavailable(AdsError):
    """Raised when TikTok could not answer (network, rate limit, outage) or refused a change;
    the message is safe to show."""

    status = 502
    code = "tiktok_unavailable"
