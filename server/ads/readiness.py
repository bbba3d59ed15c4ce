""""Can I advertise my catalog?": one list of checks, each saying whether it blocks a launch and
where it is fixed. Our own catalog and event log first, then what TikTok says: the catalog's review
counts, its diagnostics, the pixel's event counts and the pixel-to-catalog match."""
import datetime as dt
from dataclasses import asdict, dataclass

from server.ads import hints
from server.ads import tiktok_rules as rules
from server.ads.errors import AdsUnavailable
from server.ads.service import advertiser_of, client_for, today
from server.connect.state import find_connection
from server.tiktok import TikTokError
from server.tiktok.catalogs import catalog_overview
from server.tiktok.diagnostics import catalog_issues, event_source_issues, pixel_event_counts

PURPOSE = "the ads readiness checks"
# Our event names -> TikTok's catalog event-source event types [DOC 1780799405041665].
EVENT_SOURCE_TYPES = {"ViewContent": "VIEW_CONTENT", "AddToCart": "ADD_TO_CART", "PlaceAnOrder": "PURCHASE",
                      "Purchase": "PURCHASE"}


@dataclass
class Check:
    """One readiness item: ``ok`` True/False (None: could not tell), and whether a failure blocks."""

    key: str
    label: str
    ok: bool | None
    detail: str
    blocking: bool = True
    fix: str | None = None  # the endpoint of the page where it is fixed
    fix_label: str | None = None

    @property
    def blocks(self):
        """Whether this item stops a launch now."""
        return self.blocking and self.ok is False


def readiness(session, store, *, now=None):
    """``{"checks": [...], "ready": bool, "reason": str|None, "diagnostics": {...}, "counts": {...}}``."""
    checks, diagnostics = [], {"date": None, "issues": [], "problem": None}
    counts = hints.catalog_counts(session, store)
    try:
        advertiser_id = advertiser_of(session, store)
    except AdsUnavailable as error:
        checks.append(Check("connection", "Store connected to TikTok", False, error.message, fix="connect.tiktok",
                            fix_label="TikTok page"))
        return _result(checks, diagnostics, counts)
    connection = find_connection(session, store)
    client = client_for(session, store, PURPOSE)
    overview = None
    if connection.catalog_id and connection.bc_id:
        try:
            overview = catalog_overview(client, connection.bc_id, connection.catalog_id)
            found = catalog_issues(client, connection.bc_id, connection.catalog_id,
                                   page_size=rules.DIAGNOSTIC_PAGE_SIZE)
            diagnostics.update(date=found["diagnostic_date"], issues=found["issues"])
        except TikTokError as error:
            diagnostics["problem"] = f"TikTok could not be asked ({error.message})"
    checks.append(_products_check(counts, overview, connection))
    checks.append(_pixel_check(client, connection))
    checks.extend(_event_checks(session, store, client, advertiser_id, connection, now))
    critical = [i for i in diagnostics["issues"] if i.get("issue_level") == "CRITICAL"]
    checks.append(Check("diagnostics", "TikTok's catalog diagnostics", None if diagnostics["problem"] else not critical,
                        diagnostics["problem"] or (f"{len(critical)} critical issue(s): see TikTok's list below"
                                                   if critical else "no critical issues"),
                        blocking=False, fix="catalog_admin.catalog", fix_label="Catalog page"))
    return _result(checks, diagnostics, counts)


def _result(checks, diagnostics, counts):
    blocking = [c for c in checks if c.blocks]
    return {"checks": [dict(asdict(c), blocks=c.blocks) for c in checks], "ready": not blocking,
            "reason": "; ".join(f"{c.label}: {c.detail}" for c in blocking) or None,
            "diagnostics": diagnostics, "counts": counts}


def _products_check(counts, overview, connection):
    if not connection.catalog_id:
        return Check("products", "Products approved for ads", False, "the store has no TikTok catalog yet",
                     fix="connect.tiktok", fix_label="TikTok page")
    approved = overview["approved"] if overview else None
    if counts["eligible"] == 0:
        detail = (f"none of the {counts['total']} products is approved, active and in stock"
                  if counts["total"] else "the catalog has no products yet")
        return Check("products", "Products approved for ads", False, detail, fix="catalog_admin.catalog",
                     fix_label="Catalog page")
    detail = f"{counts['eligible']} of {counts['total']} products can appear in ads"
    if approved is not None:
        detail += f"; TikTok counts {approved} approved"
    return Check("products", "Products approved for ads", approved != 0, detail, fix="catalog_admin.catalog",
                 fix_label="Catalog page")


def _pixel_check(client, connection):
    if not (connection.pixel_id and connection.pixel_code):
        return Check("pixel", "Pixel bound to the catalog", False, "no pixel is chosen for the store",
                     fix="connect.tiktok", fix_label="TikTok page")
    try:
        event_source_issues(client, connection.bc_id, connection.catalog_id, connection.pixel_code, "VIEW_CONTENT")
    except TikTokError as error:
        return Check("pixel", "Pixel bound to the catalog", False,
                     f"TikTok does not see pixel {connection.pixel_code} bound to the catalog ({error.message})",
                     fix="connect.tiktok", fix_label="TikTok page")
    return Check("pixel", "Pixel bound to the catalog", True, f"pixel {connection.pixel_code}")


def _event_checks(session, store, client, advertiser_id, connection, now):
    """One check per event catalog ads need: seen with catalog SKUs here, or counted by TikTok."""
    ours = hints.catalog_events(session, store, now=now)
    theirs, problem = {}, None
    end = today()
    if connection.pixel_id:
        try:
            theirs = pixel_event_counts(client, advertiser_id, connection.pixel_id,
                                        end - dt.timedelta(days=hints.WINDOW_DAYS - 1), end)
        except TikTokError as error:
            problem = error.message
    checks = []
    for row in ours["events"]:
        if not row["catalog"]:
            continue  # the rest of the funnel helps ads learn, but catalog ads can run without it
        names = [alias for name in row["names"] for alias in rules.PIXEL_STATS_ALIASES.get(name, (name,))]
        counted = sum(theirs.get(name, 0) for name in names)
        matched = row["with_catalog_ids"]
        if row["seen"] and matched == 0:
            ok, detail = False, (f"{row['count']} seen here, but none of the latest {row['checked']} carried a "
                                 f"content id that is a catalog SKU")
        elif row["seen"] or counted:
            parts = [f"{row['count']} seen here" if row["seen"] else None,
                     f"{counted} counted by TikTok" if counted else None]
            ok, detail = True, ", ".join(p for p in parts if p) + f" in the last {ours['days']} days"
        else:
            ok = False
            detail = f"not seen in the last {ours['days']} days (here or by TikTok)"
            if problem:
                detail += f"; TikTok's counts could not be read ({problem})"
        checks.append(Check(f"event:{row['names'][0]}", f"Event {row['label']}", ok, detail,
                            fix="pixel_admin.pixel", fix_label="Pixel page"))
    return checks
