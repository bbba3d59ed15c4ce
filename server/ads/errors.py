"""What can go wrong on the Ads page and in ``flask ads``, each with the status a page answers with.

TikTok being unavailable is connect's ``TikTokUnavailable`` (one error for every feature that calls
TikTok), not an AdsError: a page catches ``SHOWN``, the ads errors and that one.
"""
from server.connect.errors import TikTokUnavailable
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


# What the ads pages show as the problem of a request (with its status), rather than an error page.
SHOWN = (AdsError, TikTokUnavailable)
