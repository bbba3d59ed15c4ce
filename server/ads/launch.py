"""Advertise the catalog from here: plan a catalog campaign (checked before any call that creates
anything), create its campaign, ad group and ad paused, then launch it once the merchant has seen
the summary. A failure half-way deletes what was made (or leaves it paused and says so)."""
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from server import audit
from server.ads import product_sets, readiness
from server.ads import tiktok_rules as rules
from server.ads.actions import minimum_daily_budget, parse_budget
from server.ads.advertiser import advertiser_currency
from server.ads.errors import SHOWN, AdsError, InvalidChange
from server.ads.formatting import format_money
from server.ads.launch_calls import StepFailed, create_objects, remove_objects, set_campaign_status
from server.ads.service import advertiser_of, client_for, forget_reports, tiktok_failure
from server.clock import utcnow
from server.connect.state import find_connection
from server.models.ads import AdLaunch
from server.tiktok import TikTokError
from server.tiktok import ad_creation as api

PURPOSE = "creating a catalog campaign"
MODES = ("manual", "smart_plus")
MODE_LABELS = {"manual": "Catalog ads (manual)", "smart_plus": "Smart+ catalog campaign"}
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_COUNTRIES = 50
SUMMARIES = {"ads.campaign_created": "created a paused catalog campaign",
             "ads.campaign_launched": "launched a catalog campaign",
             "ads.launch_failed": "tried to create a catalog campaign (it failed)"}
STEP_LABELS = {"identity": "the identity", "campaign": "the campaign", "adgroup": "the ad group", "ad": "the ad",
               "pause": "pausing the new campaign", "launch": "launching"}


class LaunchFailed(AdsError):
    """Raised when creating or launching a campaign failed at TikTok at one step; the message says
    which step, why, and what became of what was already made."""

    status = 502
    code = "launch_failed"


@dataclass
class Plan:
    """A catalog campaign as it will be asked of TikTok, checked."""

    advertiser_id: str
    currency: str
    budget: Decimal
    countries: list
    locations: list
    start: dt.date
    mode: str
    name: str
    identity_id: str | None
    identity_name: str
    product_set_id: str | None
    product_set_name: str | None
    ad_text: str
    landing_page_url: str
    catalog_id: str
    bc_id: str
    pixel_id: str
    minimum: Decimal
    ready: dict = field(default_factory=dict)

    @property
    def summary(self):
        """The plan in words, as the confirmation shows it."""
        products = f"the products in “{self.product_set_name}”" if self.product_set_id else "the whole catalog"
        return (f"{MODE_LABELS[self.mode]} for {products} in {', '.join(self.countries)}, "
                f"{format_money(self.budget, self.currency)} a day from {self.start.isoformat()}, "
                f"shown as “{self.identity_name}”.")


def parse_countries(raw):
    """``"us, gb"`` -> ``["US", "GB"]``; InvalidChange for anything that is not a list of country codes."""
    codes = [c.strip().upper() for c in re.split(r"[,\s]+", raw or "") if c.strip()]
    if not codes or len(codes) > MAX_COUNTRIES or not all(COUNTRY.match(c) for c in codes):
        raise InvalidChange("list the countries as two-letter codes, e.g. US,GB", fields={"countries": "invalid"})
    return list(dict.fromkeys(codes))


def parse_start(raw, today):
    """The start day (today when empty); not in the past, at most a year ahead."""
    if not raw:
        return today
    try:
        start = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidChange("write the start date as YYYY-MM-DD", fields={"start": "not a date"}) from None
    if start < today or start > today + dt.timedelta(days=365):
        raise InvalidChange("the start date must be between today and a year from now", fields={"start": "range"})
    return start


def check_launch_budget(raw, currency):
    """The daily budget as a Decimal within TikTok's range for ``currency``; checked before any call
    that creates anything."""
    amount = parse_budget(raw, currency)
    minimum = minimum_daily_budget(currency)
    ratio = rules.currency_ratio(currency) or 1
    if amount < minimum:
        raise InvalidChange(f"TikTok's minimum daily budget for a campaign is {format_money(minimum, currency)}",
                            fields={"budget": "below the minimum"})
    if amount >= rules.DAILY_MAX_BASE * ratio:
        raise InvalidChange("that daily budget is larger than TikTok accepts", fields={"budget": "too large"})
    if currency in rules.INTEGER_CURRENCIES and amount != amount.to_integral_value():
        raise InvalidChange(f"{currency} budgets are whole numbers", fields={"budget": "not whole"})
    return amount


def plan(session, store, *, set_id=None, countries, budget, start=None, identity_id=None, mode="manual",
         ad_text=None, today, check_ready=True):
    """Check everything a launch needs and return the Plan; InvalidChange/AdsUnavailable when it cannot be made."""
    if mode not in MODES:
        raise InvalidChange(f"choose the mode: {' or '.join(MODES)}", fields={"mode": "unknown"})
    codes, start_day = parse_countries(countries), parse_start(start, today)
    if not str(budget or "").strip():
        raise InvalidChange("give the daily budget", fields={"budget": "missing"})
    product_set = product_sets.find_set(session, store, set_id) if set_id else None
    advertiser_id = advertiser_of(session, store)
    client = client_for(session, store, PURPOSE)
    try:
        currency = advertiser_currency(client, advertiser_id, fallback=store.currency)
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the account's currency") from None
    amount = check_launch_budget(budget, currency)
    ready = readiness.readiness(session, store) if check_ready else {"ready": True, "checks": []}
    if not ready["ready"]:
        raise InvalidChange(f"the store is not ready to advertise its catalog: {ready['reason']}")
    if mode == "smart_plus" and ready.get("counts", {}).get("eligible", rules.SMART_PLUS_MIN_APPROVED) \
            < rules.SMART_PLUS_MIN_APPROVED:
        raise InvalidChange(f"Smart+ needs at least {rules.SMART_PLUS_MIN_APPROVED} approved products",
                            fields={"mode": "not available"})
    connection = find_connection(session, store)
    try:
        known = api.country_locations(client, advertiser_id, objective_type=rules.CAMPAIGN_OBJECTIVE,
                                      placements=rules.PLACEMENTS)
        chosen_identity, identity_name = _identity(client, advertiser_id, store, identity_id)
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the countries and identities") from None
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidChange(f"TikTok cannot show catalog ads in {', '.join(unknown)}", fields={"countries": "unknown"})
    text = re.sub(r"\s+", " ", ad_text or f"Shop {store.name}").strip()[:rules.AD_TEXT_MAX]
    when = start_day.isoformat()
    name = f"{store.name} catalog - {'/'.join(codes)[:40]} - {when}"[:rules.NAME_MAX]
    return Plan(advertiser_id=advertiser_id, currency=currency, budget=amount, countries=codes,
                locations=[known[c] for c in codes], start=start_day, mode=mode, name=name,
                identity_id=chosen_identity, identity_name=identity_name,
                product_set_id=product_set.tiktok_set_id if product_set else None,
                product_set_name=product_set.name if product_set else None, ad_text=text,
                landing_page_url=f"https://{store.domains[0]}/" if store.domains else "",
                catalog_id=connection.catalog_id, bc_id=connection.bc_id, pixel_id=connection.pixel_id,
                minimum=minimum_daily_budget(currency), ready=ready)


def _identity(client, advertiser_id, store, identity_id):
    """The custom identity to use: the one chosen, else one named like the store, else a new one (None)."""
    found = api.identities(client, advertiser_id, rules.IDENTITY_TYPE)
    if identity_id:
        match = next((i for i in found if i["identity_id"] == str(identity_id)), None)
        if match is None:
            raise InvalidChange("choose one of the account's identities", fields={"identity": "unknown"})
        return match["identity_id"], match.get("display_name") or match["identity_id"]
    name = store.name[:rules.IDENTITY_NAME_MAX]
    match = next((i for i in found if i.get("display_name") == name), None)
    return (match["identity_id"] if match else None), name


def account_currency(session, store):
    """The advertiser account's currency (budgets are in it); the store's when TikTok cannot say."""
    try:
        client = client_for(session, store, PURPOSE)
        return advertiser_currency(client, advertiser_of(session, store), fallback=store.currency)
    except (*SHOWN, TikTokError):
        return store.currency


def identities(session, store):
    """The account's custom identities for the form: ``[{identity_id, display_name}]``."""
    advertiser_id = advertiser_of(session, store)
    client = client_for(session, store, PURPOSE)
    try:
        return api.identities(client, advertiser_id, rules.IDENTITY_TYPE)
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the identities") from None


def create_paused(session, store, actor, the_plan):
    """Create the campaign, ad group and ad at TikTok, paused; record and audit it (committed).

    On a failure, what was made is deleted (or, if TikTok refuses that, left paused), the launch is
    recorded as failed with the step and the reason, and LaunchFailed says all of it."""
    row = AdLaunch(store_id=store.id, mode=the_plan.mode, state="creating", name=the_plan.name,
                   product_set_id=the_plan.product_set_id, product_set_name=the_plan.product_set_name,
                   countries=the_plan.countries, daily_budget=the_plan.budget, currency=the_plan.currency,
                   start_date=the_plan.start, identity_id=the_plan.identity_id, created_by=audit.record_label(actor))
    session.add(row)
    session.commit()  # the attempt is on record even if the process dies half-way
    client = client_for(session, store, PURPOSE)
    forget_reports(store)
    try:
        for step, made in create_objects(client, the_plan):
            setattr(row, f"{step}_id", made)
    except StepFailed as failure:
        row.state, row.failed_step, row.error = "failed", failure.step, failure.error.message
        row.cleanup = remove_objects(client, the_plan, row)
        audit.record(session, store, actor, "ads.launch_failed", _details(row))
        session.commit()
        raise LaunchFailed(f"Creating {STEP_LABELS[failure.step]} failed: TikTok said “{failure.error.message}”. "
                           f"{row.cleanup}") from None
    row.state = "paused"
    audit.record(session, store, actor, "ads.campaign_created", _details(row))
    session.commit()
    return row


def find_launch(session, store, launch_id):
    """One of the store's launches; InvalidChange when it has none such."""
    row = session.execute(select(AdLaunch).where(AdLaunch.store_id == store.id,
                                                 AdLaunch.id == _int(launch_id))).scalar_one_or_none()
    if row is None:
        raise InvalidChange("the store has no such campaign draft", fields={"launch": "not found"})
    return row


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def go_live(session, store, actor, launch_id):
    """Launch a paused campaign made here: its status becomes ENABLE at TikTok (committed, audited)."""
    row = find_launch(session, store, launch_id)
    if row.state != "paused":
        raise InvalidChange(f"this campaign is {row.state}, not waiting to be launched")
    advertiser_id = advertiser_of(session, store)
    client = client_for(session, store, PURPOSE)
    forget_reports(store)
    try:
        set_campaign_status(client, row.mode, advertiser_id, row.campaign_id, "ENABLE")
    except TikTokError as error:
        raise LaunchFailed(f"Launching failed: TikTok said “{error.message}”. The campaign stays paused.") from None
    row.state, row.launched_at = "launched", utcnow()
    audit.record(session, store, actor, "ads.campaign_launched", _details(row))
    session.commit()
    return row


def recent_launches(session, store, limit=10):
    """The store's latest launches (drafts, launched and failed), newest first."""
    return session.execute(select(AdLaunch).where(AdLaunch.store_id == store.id)
                           .order_by(AdLaunch.created_at.desc(), AdLaunch.id.desc()).limit(limit)).scalars().all()


def read_back(session, store, row):
    """The campaign, ad group and ad as TikTok has them now (for the summary)."""
    advertiser_id = advertiser_of(session, store)
    client = client_for(session, store, PURPOSE)
    prefix = "smart_plus_" if row.mode == "smart_plus" else ""
    found = {}
    try:
        for level, object_id in (("campaign", row.campaign_id), ("adgroup", row.adgroup_id), ("ad", row.ad_id)):
            items = api.read(client, prefix + level, advertiser_id, [object_id]) if object_id else []
            found[level] = items[0] if items else None
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the new campaign back") from None
    return found


def _details(row):
    details = {"campaign": row.name, "mode": row.mode, "campaign_id": row.campaign_id, "adgroup_id": row.adgroup_id,
               "ad_id": row.ad_id, "countries": ",".join(row.countries), "currency": row.currency,
               "daily_budget": str(row.daily_budget), "product_set": row.product_set_name or "whole catalog"}
    if row.failed_step:
        details.update(failed_step=row.failed_step, error=row.error, cleanup=row.cleanup)
    return {k: v for k, v in details.items() if v is not None}

