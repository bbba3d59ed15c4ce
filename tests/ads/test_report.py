"""The Ads page's figures: what TikTok reports for the chosen period, summed right, shown in the
advertiser's currency, cached briefly, and explained when there is nothing to show."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup

from tests.accounts import add_to_store, make_user, sign_in
from tests.ads.helpers import campaigns_of, expected_figures, money, table_rows, utc_today
from tests.factories import make_store

REPORT = "report/integrated/get/"


def _page(client, store, **query):
    response = client.get(f"/stores/{store.public_key}/ads", query_string=query)
    return response, response.get_data(as_text=True)


def _ratio(value):
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}×"


@pytest.mark.parametrize("days", [7, 90])
def test_the_table_shows_each_campaigns_figures_for_the_period_and_their_totals(client, store, tiktok_emulator, days):
    sign_in(client, "ana@example.com")
    campaigns = campaigns_of(tiktok_emulator)
    today = utc_today()
    per_campaign, total = expected_figures(campaigns, today - dt.timedelta(days=days - 1), today)

    response, html = _page(client, store, period=str(days))

    assert response.status_code == 200
    rows = table_rows(html)
    for campaign_id, figures in per_campaign.items():
        cells = rows[campaign_id]
        assert campaigns[campaign_id]["campaign_name"] in cells[0]
        assert cells[3:9] == [money(figures["spend"]), f"{figures['impressions']:,}", f"{figures['clicks']:,}",
                               f"{figures['conversions']:,}", money(figures["spend"] / figures["conversions"]),
                               _ratio(figures["revenue"] / figures["spend"])]
    assert rows["total"][3:9] == [money(total["spend"]), f"{total['impressions']:,}", f"{total['clicks']:,}",
                                   f"{total['conversions']:,}", money(total["spend"] / total["conversions"]),
                                   _ratio(total["revenue"] / total["spend"])]
    # 90 days are more than TikTok's 30-day limit for a daily breakdown: three requests.
    asked = [r["params"] for r in tiktok_emulator.requests(REPORT)]
    assert len(asked) == (1 if days == 7 else 3)
    assert min(a["start_date"] for a in asked) == (today - dt.timedelta(days=days - 1)).isoformat()


def test_a_custom_period_shows_that_period(client, store, tiktok_emulator):
    sign_in(client, "ana@example.com")
    end = utc_today() - dt.timedelta(days=21)
    start = end - dt.timedelta(days=41)  # 42 days: two requests to TikTok
    _, total = expected_figures(campaigns_of(tiktok_emulator), start, end)

    response, html = _page(client, store, period="custom", start=start.isoformat(), end=end.isoformat())

    assert response.status_code == 200
    assert table_rows(html)["total"][3] == money(total["spend"])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="f-period").find("option", selected=True)["value"] == "custom"
    assert soup.find(id="f-start")["value"] == start.isoformat()
    days = [row.th.get_text() for row in soup.find(id="chart-table").tbody.find_all("tr")]
    assert days[0] == start.isoformat() and days[-1] == end.isoformat() and len(days) == 42


def test_the_chart_is_an_accessible_inline_svg_with_one_bar_per_day(client, store):
    sign_in(client, "ana@example.com")
    _, html = _page(client, store, period="30")
    svg = BeautifulSoup(html, "html.parser").find(id="ads-chart").find("svg")
    assert svg["role"] == "img"
    title, desc = (svg.find(id=name) for name in svg["aria-labelledby"].split())
    assert title.name == "title" and "spend" in title.text.lower()
    assert desc.name == "desc" and "conversions" in desc.text
    assert len(svg.find_all("rect")) == 30 + 1  # the bars and the legend's swatch


def test_money_is_in_the_advertisers_currency_not_the_stores(client, store):
    sign_in(client, "ana@example.com")
    _, html = _page(client, store)
    assert store.currency == "BRL"
    totals = BeautifulSoup(html, "html.parser").find(id="ads-totals").get_text(" ")
    assert "$" in totals and "R$" not in totals
    assert "amounts in USD" in html


def test_reloading_the_page_does_not_ask_tiktok_again(client, store, tiktok_emulator):
    sign_in(client, "ana@example.com")
    _page(client, store)
    _page(client, store)
    assert len(tiktok_emulator.requests(REPORT)) == 1
    _page(client, store, period="30")  # another period is another question
    assert len(tiktok_emulator.requests(REPORT)) == 2


def test_a_bad_custom_period_is_explained_and_nothing_is_asked(client, store, tiktok_emulator):
    sign_in(client, "ana@example.com")
    future = (utc_today() + dt.timedelta(days=3)).isoformat()
    response, html = _page(client, store, period="custom", start="2026-01-01", end=future)
    assert response.status_code == 422
    assert "cannot end after today" in html
    assert BeautifulSoup(html, "html.parser").find(id="f-end")["aria-invalid"] == "true"
    assert tiktok_emulator.requests(REPORT) == []


def test_a_member_sees_the_figures_without_the_buttons(client, store):
    sign_in(client, "bea@example.com")
    response, html = _page(client, store)
    assert response.status_code == 200
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="campaigns") is not None
    assert soup.find("form", action=lambda a: a and "/ads/" in a) is None
    assert "Only an owner of this store can pause" in html


def test_a_never_connected_store_is_told_to_connect_first(client, session, tiktok_emulator):
    store = make_store(name="New")
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")
    response, html = _page(client, store)
    assert response.status_code == 200
    soup = BeautifulSoup(html, "html.parser")
    banner = soup.find(id="ads-unavailable")
    assert "not connected to TikTok" in banner.get_text()
    assert banner.find("a", href=f"/stores/{store.public_key}/tiktok").get_text(strip=True) == "Go to the TikTok page"
    assert soup.find(id="campaigns") is None
    assert tiktok_emulator.requests() == []


def test_tiktok_being_down_is_said_plainly(client, store, tiktok_emulator):
    sign_in(client, "ana@example.com")
    tiktok_emulator.add_fault("http_error", status=503)
    response, html = _page(client, store)
    assert response.status_code == 502
    assert "TikTok could not answer" in html
    assert "Catalog ads" in html  # what does not need TikTok is still there


def test_without_a_roas_from_tiktok_the_rest_is_still_shown(client, store, tiktok_emulator):
    # What TikTok answers an account that cannot report the purchase ROAS metric.
    tiktok_emulator.add_fault("code", path=REPORT, code=40002, count=1,
                              message="metrics: unknown metrics ['complete_payment_roas'].")
    sign_in(client, "ana@example.com")
    response, html = _page(client, store)
    assert response.status_code == 200
    assert table_rows(html)["total"][8] == "—"
    assert "TikTok reported no purchase value for this account" in html
