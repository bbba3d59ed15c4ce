"""Changing a campaign from here: pause, resume, a new daily budget. Each is previewed first (the
confirmation step), then applied at TikTok, audited, and the store's cached reports dropped."""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app

from server import audit
from server.ads.advertiser import advertiser_currency
from server.ads.errors import InvalidChange
from server.ads.formatting import currency_places, format_amount, format_money
from server.ads.service import find_campaign, forget_reports, tiktok_failure
from server.ads.tiktok_rules import currency_ratio
from server.connect.errors import TikTokUnavailable
from server.tiktok import TikTokError, TikTokNetworkError, TikTokRequestError
from server.tiktok.campaigns import pause_campaigns, resume_campaigns, update_campaign_budget

ACTIONS = ("pause", "resume", "budget")
AUDIT_ACTIONS = {"pause": "ads.campaign_paused", "resume": "ads.campaign_resumed", "budget": "ads.budget_changed"}
SUMMARIES = {"ads.campaign_paused": "paused a TikTok campaign", "ads.campaign_resumed": "resumed a TikTok campaign",
             "ads.budget_changed": "changed a TikTok campaign's daily budget"}
MAX_BUDGET = Decimal("100000000")


@dataclass(frozen=True)
class Change:
    """A change to one campaign, described before (and after) it is made."""

    action: str  # pause | resume | budget
    campaign: object  # server.ads.report.CampaignRow, as TikTok has it now
    currency: str | None = None
    budget: Decimal | None = None  # the new daily budget (action "budget")

    @property
    def sentence(self):
        """What the change does, in words."""
        name = f"“{self.campaign.name}”"
        if self.action == "pause":
            return f"Pause {name}: its ads stop delivering and spending until it is resumed."
        if self.action == "resume":
            return f"Resume {name}: its ads start delivering and spending again."
        return (f"Change the daily budget of {name} from {format_money(self.campaign.budget, self.currency)} "
                f"to {format_money(self.budget, self.currency)}.")

    @property
    def done(self):
        """What the merchant reads once the change is made."""
        name = f"“{self.campaign.name}”"
        if self.action == "pause":
            return f"{name} is paused at TikTok."
        if self.action == "resume":
            return f"{name} is running again at TikTok."
        return f"The daily budget of {name} is now {format_money(self.budget, self.currency)} at TikTok."


def minimum_daily_budget(currency):
    """The smallest campaign daily budget accepted here, in ``currency``: an amount listed in
    TTC_ADS_MIN_DAILY_BUDGETS, else TTC_ADS_MIN_DAILY_BUDGET times TikTok's ratio for the currency."""
    config = current_app.config
    for part in str(config["TTC_ADS_MIN_DAILY_BUDGETS"] or "").split(","):
        code, _, amount = part.partition("=")
        if code.strip().upper() == (currency or "").upper() and amount.strip():
            return Decimal(amount.strip())
    return Decimal(str(config["TTC_ADS_MIN_DAILY_BUDGET"])) * (currency_ratio(currency) or 1)


def parse_budget(raw, currency):
    """A budget typed by a merchant ("75", "75.50", "75,50") as a Decimal; InvalidChange if it is not one."""
    text = (raw or "").strip().replace(" ", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidChange("write the new daily budget as a number, e.g. 75.50", fields={"budget": "not a number"})
    if abs(amount) > MAX_BUDGET:
        raise InvalidChange("that daily budget is larger than TikTok accepts", fields={"budget": "too large"})
    places = currency_places(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise InvalidChange(f"{currency} amounts have at most {places} decimals",
                            fields={"budget": "too many decimals"})
    return amount


def check_budget(amount, campaign, currency):
    """Refuse a budget TikTok would refuse, or one that changes nothing."""
    if amount <= 0:
        raise InvalidChange("the daily budget must be more than zero", fields={"budget": "not positive"})
    minimum = minimum_daily_budget(currency)
    if amount < minimum:
        raise InvalidChange(f"TikTok's minimum daily budget for a campaign is {format_money(minimum, currency)}",
                            fields={"budget": "below the minimum"})
    if not campaign.has_daily_budget:
        raise InvalidChange(f"this campaign's budget is {campaign.budget_mode_label}, not a daily amount: change it "
                            f"in TikTok Ads Manager", fields={"budget": "not a daily budget"})
    if campaign.budget is not None and amount == campaign.budget:
        raise InvalidChange(f"the daily budget is already {format_money(amount, currency)}",
                            fields={"budget": "unchanged"})


def preview(session, store, action, campaign_id, budget=None, *, purpose="a change on the Ads page"):
    """The change as it would be made now (a budget change without ``budget`` carries the currency
    and the current budget only); raises InvalidChange when it cannot or need not be made."""
    return _prepare(session, store, action, campaign_id, budget, purpose)[2]


def with_budget(change, budget):
    """A budget change with the merchant's amount, checked; InvalidChange if TikTok would refuse it."""
    amount = parse_budget(str(budget), change.currency)
    check_budget(amount, change.campaign, change.currency)
    return Change(change.action, change.campaign, change.currency, amount)


def _prepare(session, store, action, campaign_id, budget, purpose):
    if action not in ACTIONS:
        raise InvalidChange(f"unknown change {action!r}", fields={"action": "unknown"})
    client, advertiser_id, campaign = find_campaign(session, store, campaign_id, purpose=purpose)
    if action == "pause" and not campaign.can_pause:
        raise InvalidChange(f"“{campaign.name}” is not running ({campaign.status_label.lower()}): nothing to pause")
    if action == "resume" and not campaign.can_resume:
        raise InvalidChange(f"“{campaign.name}” is not paused ({campaign.status_label.lower()}): nothing to resume")
    if action != "budget":
        return client, advertiser_id, Change(action, campaign)
    try:
        currency = advertiser_currency(client, advertiser_id, fallback=store.currency)
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the account's currency") from None
    change = Change(action, campaign, currency)
    if budget is not None and str(budget).strip():
        change = with_budget(change, budget)
    return client, advertiser_id, change


def apply(session, store, actor, action, campaign_id, budget=None, *, purpose="a change on the Ads page"):
    """Make the change at TikTok, audit it (committed) and drop the store's cached reports."""
    client, advertiser_id, change = _prepare(session, store, action, campaign_id, budget, purpose)
    if action == "budget" and change.budget is None:
        raise InvalidChange("give the new daily budget", fields={"budget": "missing"})
    forget_reports(store)  # whatever TikTok answers, the next load asks it again
    try:
        _send(client, advertiser_id, change)
    except TikTokRequestError as error:
        raise InvalidChange(f"TikTok refused the change: {error.message}") from None
    except TikTokNetworkError as error:
        maybe = " It may have been made anyway: reload the page to see." if error.maybe_processed else ""
        raise TikTokUnavailable(f"TikTok did not answer ({error.message}).{maybe}") from None
    except TikTokError as error:
        raise tiktok_failure(error, doing="changing the campaign") from None
    audit.record(session, store, actor, AUDIT_ACTIONS[action], _details(advertiser_id, change))
    session.commit()
    return change


def _send(client, advertiser_id, change):
    campaign_id = change.campaign.campaign_id
    if change.action == "pause":
        pause_campaigns(client, advertiser_id, [campaign_id])
    elif change.action == "resume":
        resume_campaigns(client, advertiser_id, [campaign_id])
    else:
        update_campaign_budget(client, advertiser_id, campaign_id, change.budget)


def _details(advertiser_id, change):
    details = {"advertiser_id": advertiser_id, "campaign_id": change.campaign.campaign_id,
               "campaign": change.campaign.name}
    if change.action == "budget":
        details.update({"currency": change.currency, "from": format_amount(change.campaign.budget, change.currency),
                        "to": format_amount(change.budget, change.currency)})
    return details
