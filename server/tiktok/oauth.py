"""OAuth: the authorization URL, auth-code exchange, revoke, and the authorized advertisers."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from .errors import TikTokAppAuthError
from .transport import TikTokClient

DEFAULT_AUTH_URL = "https://business-api.tiktok.com/portal/auth"


@dataclass(frozen=True)
class AccessGrant:
    """What a token exchange returns: the long-lived advertiser token and its reach."""

    access_token: str = field(repr=False)
    advertiser_ids: list[str]
    scope: list

    def __repr__(self) -> str:
        return f"AccessGrant(advertiser_ids={self.advertiser_ids!r}, scope={self.scope!r})"


def authorization_url(auth_url: str, *, app_id: str, state: str, redirect_uri: str) -> str:
    """The page to send the advertiser to (``TTC_TIKTOK_AUTH_URL`` + app_id, state, redirect)."""
    separator = "&" if "?" in auth_url else "?"
    return auth_url + separator + urlencode({"app_id": app_id, "state": state, "redirect_uri": redirect_uri})


def _require_app(client: TikTokClient) -> None:
    if not (client.app_id and client.app_secret):
        raise TikTokAppAuthError("the TikTok app id and secret are not configured")


def exchange_auth_code(client: TikTokClient, auth_code: str) -> AccessGrant:
    """Trade a single-use ``auth_code`` for an access token (``oauth2/access_token/``)."""
    _require_app(client)
    body = {"app_id": client.app_id, "secret": client.app_secret, "auth_code": auth_code}
    # An auth code works once: re-sending after an ambiguous failure would only get 40110.
    data = client.post("oauth2/access_token/", body, authenticated=False, idempotent=False,
                       secrets=(auth_code,))
    return AccessGrant(access_token=data["access_token"],
                       advertiser_ids=[str(a) for a in data.get("advertiser_ids") or []],
                       scope=list(data.get("scope") or []))


def revoke_token(client: TikTokClient, access_token: str | None = None) -> list[str]:
    """Invalidate a token (default: the client's); returns the advertiser ids it covered."""
    _require_app(client)
    token = access_token or client.access_token
    body = {"app_id": client.app_id, "secret": client.app_secret, "access_token": token}
    data = client.post("oauth2/revoke_token/", body, authenticated=False, secrets=(token,))
    return [str(a) for a in data.get("advertiser_ids") or []]


def authorized_advertisers(client: TikTokClient) -> list[dict]:
    """The advertisers the client's token may act for: ``[{advertiser_id, advertiser_name}]``.

    Also the cheapest "is this token still valid" call.
    """
    _require_app(client)
    data = client.get("oauth2/advertiser/get/", {"app_id": client.app_id, "secret": client.app_secret})
    return [{"advertiser_id": str(a.get("advertiser_id")), "advertiser_name": a.get("advertiser_name")}
            for a in data.get("list") or []]
