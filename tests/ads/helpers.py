"""Helpers for the ads tests: a connected store, the emulator's figures summed independently,
reading the campaign table, the changes TikTok received."""
import datetime as dt
import re
from decimal import Decimal

from bs4 import BeautifulSoup

from server.extensions import db
from server.models.tiktok import TikTokConnection
from server.security import encrypt_secret
from tests.accounts import csrf_token
from tests.tiktok_emulator.routes_ads import daily_metrics

CHANGE_PATHS = ("campaign/status/update/", "campaign/update/")


def connect_store(store, emulator, *, advertiser_index=0):
    """Mark ``store`` connected to one of the emulator's advertiser accounts (commits)."""
    token = emulator.seed_token()["access_token"]
    db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token),
                                    advertiser_id=emulator.advertiser_ids[advertiser_index],
                                    advertiser_name="Emulator Store Ads", bc_id=emulator.bc_id,
                                    catalog_id="7300000000000000001"))
    store.tiktok_state = "connected"
    db.session.commit()
    store.test_token = token
    return store


def campaigns_of(emulator, advertiser_index=0):
    """The advertiser's campaigns as the emulator holds them now, by id."""
    return emulator.campaigns(emulator.advertiser_ids[advertiser_index])


def utc_today():
    """Today in UTC, the day the page's "last N days" end on."""
    return dt.datetime.now(dt.UTC).date()


def expected_figures(campaign_ids, start, end):
    """The emulator's seeded daily metrics summed per campaign and in total, computed here."""
    per_campaign = {}
    for campaign_id in campaign_ids:
        spend, impressions, clicks, conversions, revenue = Decimal(0), 0, 0, 0, Decimal(0)
        day = start
        while day <= end:
            figures = daily_metrics(campaign_id, day)
            day_spend = Decimal(figures["spend"])
            spend += day_spend
            impressions += int(figures["impressions"])
            clicks += int(figures["clicks"])
            conversions += int(figures["conversion"])
            revenue += day_spend * Decimal(figures["complete_payment_roas"])
            day += dt.timedelta(days=1)
        per_campaign[campaign_id] = {"spend": spend, "impressions": impressions, "clicks": clicks,
                                     "conversions": conversions, "revenue": revenue}
    total = {name: sum(f[name] for f in per_campaign.values()) for name in
             ("spend", "impressions", "clicks", "conversions", "revenue")}
    return per_campaign, total


def money(amount):
    """An amount as the page shows it in USD."""
    return f"${Decimal(amount).quantize(Decimal('0.01')):,}"


def table_rows(html, table_id="campaigns"):
    """{row key: [cell texts]} of a table on a page; tbody rows by data-campaign, tfoot as "total"."""
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id=table_id)
    rows = {}
    for row in table.select("tbody tr"):
        rows[row.get("data-campaign")] = [_text(cell) for cell in row.find_all(["th", "td"])]
    for row in table.select("tfoot tr"):
        rows["total"] = [_text(cell) for cell in row.find_all(["th", "td"])]
    return rows


def _text(cell):
    return re.sub(r"\s+", " ", cell.get_text(" ")).strip()


def changes_received(emulator):
    """The campaign changes TikTok received."""
    return [r for r in emulator.requests() if r["path"] in CHANGE_PATHS]


def post_change(client, store, action, data):
    """POST one of the Ads page's forms with the session's CSRF token."""
    token = csrf_token(client, "/account")
    return client.post(f"/stores/{store.public_key}/ads/{action}", data={**data, "csrf_token": token})
