"""Creating ads: campaigns, ad groups and ads (manual and Upgraded Smart+), their status and
read-back, identities, and the location ids of countries."""
from __future__ import annotations

from collections.abc import Sequence

from .errors import TikTokRequestError
from .pagination import iter_pages
from .transport import TikTokClient

STATUSES = ("ENABLE", "DISABLE", "DELETE")
# (create path, id key in the answer, get path, status path, ids key) per level; Smart+ has its own family.
LEVELS = {
    "campaign": ("campaign/create/", "campaign_id", "campaign/get/", "campaign/status/update/", "campaign_ids"),
    "adgroup": ("adgroup/create/", "adgroup_id", "adgroup/get/", "adgroup/status/update/", "adgroup_ids"),
    "ad": ("ad/create/", "ad_ids", "ad/get/", "ad/status/update/", "ad_ids"),
    "smart_plus_campaign": ("smart_plus/campaign/create/", "campaign_id", "smart_plus/campaign/get/",
                            "smart_plus/campaign/status/update/", "campaign_ids"),
    "smart_plus_adgroup": ("smart_plus/adgroup/create/", "adgroup_id", "smart_plus/adgroup/get/",
                           "smart_plus/adgroup/status/update/", "adgroup_ids"),
    "smart_plus_ad": ("smart_plus/ad/create/", "smart_plus_ad_id", "smart_plus/ad/get/",
                      "smart_plus/ad/status/update/", "smart_plus_ad_ids"),
}


def create(client: TikTokClient, level: str, body: dict) -> tuple[str, dict]:
    """Create one object at ``level``; ``(its id, TikTok's answer)``. Not re-sent after a timeout."""
    path, id_key = LEVELS[level][:2]
    data = client.post(path, body, idempotent=False)
    found = data.get(id_key)
    if isinstance(found, list):
        found = found[0] if found else None
    if not found:
        raise TikTokRequestError(f"{path} answered without {id_key}")
    return str(found), data


def read(client: TikTokClient, level: str, advertiser_id: str, ids: Sequence[str],
         *, parent: str | None = None) -> list[dict]:
    """The objects with these ids, as TikTok has them now (deleted ones left out)."""
    get_path, ids_key = LEVELS[level][2], LEVELS[level][4]
    filtering = {ids_key: [str(i) for i in ids]}
    if parent:
        filtering["campaign_ids"] = [str(parent)]

    def fetch(page, size):
        return client.get(get_path, {"advertiser_id": advertiser_id, "filtering": filtering, "page": page,
                                     "page_size": size})
    return list(iter_pages(fetch, page_size=100))


def set_status(client: TikTokClient, level: str, advertiser_id: str, ids: Sequence[str], status: str) -> dict:
    """ENABLE, DISABLE or DELETE up to 20 objects at ``level``; a per-item failure raises."""
    if status not in STATUSES:
        raise TikTokRequestError(f"status must be one of {STATUSES}, not {status!r}")
    path, ids_key = LEVELS[level][3], LEVELS[level][4]
    data = client.post(path, {"advertiser_id": advertiser_id, ids_key: [str(i) for i in ids],
                              "operation_status": status})
    # Smart+ reports per-item failures with code 0 and an error_list [DOC 1843314908153858].
    failures = data.get("error_list") or []
    if failures:
        first = failures[0]
        raise TikTokRequestError(first.get("error_message") or f"{path} failed for {len(failures)} item(s)")
    return data


def identities(client: TikTokClient, advertiser_id: str, identity_type: str) -> list[dict]:
    """The advertiser's identities of one type: ``{identity_id, display_name, ...}``."""
    def fetch(page, size):
        return client.get("identity/get/", {"advertiser_id": advertiser_id, "identity_type": identity_type,
                                            "page": page, "page_size": size})
    return [dict(i, identity_id=str(i.get("identity_id")))
            for i in iter_pages(fetch, page_size=100, list_key="identity_list")]


def create_identity(client: TikTokClient, advertiser_id: str, display_name: str) -> str:
    """Create a custom identity (name, default avatar); returns its id."""
    data = client.post("identity/create/", {"advertiser_id": advertiser_id, "display_name": display_name},
                       idempotent=False)
    return str(data["identity_id"])


def country_locations(client: TikTokClient, advertiser_id: str, *, objective_type: str,
                      placements: Sequence[str]) -> dict[str, str]:
    """``{country code: location_id}`` for the countries the objective can target."""
    data = client.get("tool/region/", {"advertiser_id": advertiser_id, "placements": list(placements),
                                       "objective_type": objective_type, "level_range": "TO_COUNTRY"})
    return {str(r["region_code"]).upper(): str(r["location_id"]) for r in data.get("region_info") or []
            if r.get("level") == "COUNTRY" and r.get("region_code")}
