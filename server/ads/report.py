"""The Ads report as plain data: campaigns with their figures for a period, totals, and the daily
series the chart draws. Pure: built from what TikTok returned, no I/O."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

ADS_MANAGER = "https://ads.tiktok.com/i18n/perf/campaign"
ACTIVE, PAUSED = "ENABLE", "DISABLE"
DAILY = "BUDGET_MODE_DAY"
BUDGET_MODES = {DAILY: "per day", "BUDGET_MODE_TOTAL": "lifetime",
                "BUDGET_MODE_DYNAMIC_DAILY_BUDGET": "per day (dynamic)",
                "BUDGET_MODE_INFINITE": "set on the ad groups"}
OBJECTIVES = {"PRODUCT_SALES": "Product sales", "WEB_CONVERSIONS": "Website conversions",
              "CATALOG_SALES": "Catalog sales", "TRAFFIC": "Traffic", "REACH": "Reach",
              "VIDEO_VIEWS": "Video views", "APP_PROMOTION": "App promotion", "LEAD_GENERATION": "Lead generation",
              "ENGAGEMENT": "Community interaction", "RF_REACH": "Reach (reservation)"}
ZERO = Decimal(0)


def ads_manager_url(advertiser_id):
    """TikTok Ads Manager's campaign list for the advertiser account."""
    return f"{ADS_MANAGER}?{urlencode({'aadvid': advertiser_id})}"


@dataclass(frozen=True)
class Figures:
    """Delivery figures summed over days; ``revenue`` is spend × ROAS summed over the days TikTok
    reported a ROAS for (None: it reported none)."""

    spend: Decimal = ZERO
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    revenue: Decimal | None = None

    def plus(self, stat):
        """These figures with one more day (a DailyStat, or other Figures) added."""
        extra = stat.revenue if isinstance(stat, Figures) else (
            stat.spend * stat.roas if stat.roas is not None else None)
        revenue = self.revenue if extra is None else (self.revenue or ZERO) + extra
        return Figures(self.spend + stat.spend, self.impressions + stat.impressions, self.clicks + stat.clicks,
                       self.conversions + stat.conversions, revenue)

    @property
    def cost_per_conversion(self):
        """Spend divided by conversions; None without conversions."""
        return self.spend / self.conversions if self.conversions else None

    @property
    def roas(self):
        """Return on ad spend over the whole period; None when TikTok reported none or nothing was spent."""
        return self.revenue / self.spend if self.revenue is not None and self.spend else None


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as the table shows it."""

    campaign_id: str
    name: str
    status: str  # TikTok's operation_status: ENABLE, DISABLE (or something we only show)
    secondary_status: str | None
    objective: str
    budget: Decimal | None
    budget_mode: str | None
    figures: Figures = field(default_factory=Figures)

    @property
    def status_label(self):
        """"Active", "Paused", or TikTok's own word."""
        return {ACTIVE: "Active", PAUSED: "Paused"}.get(self.status, _words(self.status or "unknown"))

    @property
    def objective_label(self):
        """The objective in words."""
        return OBJECTIVES.get(self.objective, _words(self.objective or "—"))

    @property
    def budget_mode_label(self):
        """What the budget amount means ("per day", "lifetime"...)."""
        return BUDGET_MODES.get(self.budget_mode, _words(self.budget_mode or ""))

    @property
    def has_daily_budget(self):
        """Whether the campaign's budget is a daily amount this page can change."""
        return self.budget_mode == DAILY

    @property
    def can_pause(self):
        """Whether a pause makes sense now."""
        return self.status == ACTIVE

    @property
    def can_resume(self):
        """Whether a resume makes sense now."""
        return self.status == PAUSED


@dataclass(frozen=True)
class DailyPoint:
    """One day of the chart: spend and conversions over every campaign."""

    date: dt.date
    spend: Decimal
    conversions: int


@dataclass(frozen=True)
class AdsReport:
    """Everything the Ads page shows from TikTok for one period."""

    advertiser_id: str
    currency: str
    period: object  # server.ads.period.Period
    campaigns: list
    totals: Figures
    daily: list
    fetched_at: dt.datetime
    roas_reported: bool

    @property
    def manager_url(self):
        """Where the merchant does everything else (creatives, new campaigns)."""
        return ads_manager_url(self.advertiser_id)


def _words(code):
    return code.replace("CAMPAIGN_STATUS_", "").replace("_", " ").capitalize()


def _decimal(value):
    try:
        return Decimal(str(value)) if value not in (None, "", "-") else None
    except ArithmeticError:
        return None


def campaign_row(item, figures=None):
    """A table row from a ``campaign/get/`` item (and its figures)."""
    return CampaignRow(campaign_id=str(item.get("campaign_id")), name=str(item.get("campaign_name") or ""),
                       status=str(item.get("operation_status") or ""),
                       secondary_status=item.get("secondary_status"), objective=str(item.get("objective_type") or ""),
                       budget=_decimal(item.get("budget")), budget_mode=item.get("budget_mode"),
                       figures=figures or Figures())


def build_report(*, advertiser_id, currency, period, campaigns, stats, fetched_at):
    """The report from TikTok's campaigns and daily stats (``server.tiktok.reports.DailyStat``)."""
    per_campaign, per_day = {}, {day: DailyPoint(day, ZERO, 0) for day in period.dates()}
    for stat in stats:
        per_campaign[stat.campaign_id] = per_campaign.get(stat.campaign_id, Figures()).plus(stat)
        day = per_day.get(stat.date) or DailyPoint(stat.date, ZERO, 0)
        per_day[stat.date] = DailyPoint(stat.date, day.spend + stat.spend, day.conversions + stat.conversions)
    rows = [campaign_row(item, per_campaign.pop(str(item.get("campaign_id")), None)) for item in campaigns]
    # Figures of campaigns TikTok no longer lists (deleted) still count in the totals.
    rows += [CampaignRow(campaign_id, f"Campaign {campaign_id}", "DELETED", None, "", None, None, figures)
             for campaign_id, figures in sorted(per_campaign.items())]
    rows.sort(key=lambda row: (-row.figures.spend, row.name.lower()))
    totals = Figures()
    for row in rows:
        totals = totals.plus(row.figures)
    return AdsReport(advertiser_id=advertiser_id, currency=currency, period=period, campaigns=rows, totals=totals,
                     daily=[per_day[day] for day in sorted(per_day)], fetched_at=fetched_at,
                     roas_reported=any(stat.roas is not None for stat in stats))


def report_as_dict(report):
    """The report as JSON-ready data (``flask ads campaigns --json``)."""
    def figures(f):
        return {"spend": _number(f.spend), "impressions": f.impressions, "clicks": f.clicks,
                "conversions": f.conversions, "cost_per_conversion": _number(f.cost_per_conversion),
                "roas": _number(f.roas)}

    return {
        "advertiser_id": report.advertiser_id, "currency": report.currency,
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "days": report.period.days},
        "campaigns": [{"campaign_id": r.campaign_id, "name": r.name, "status": r.status_label.lower(),
                       "objective": r.objective, "budget": _number(r.budget), "budget_mode": r.budget_mode,
                       **figures(r.figures)} for r in report.campaigns],
        "totals": figures(report.totals),
        "daily": [{"date": p.date.isoformat(), "spend": _number(p.spend), "conversions": p.conversions}
                  for p in report.daily],
        "ads_manager_url": report.manager_url,
        "fetched_at": report.fetched_at.isoformat(),
    }


def _number(value):
    return None if value is None else float(round(Decimal(value), 4))
