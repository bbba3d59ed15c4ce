"""The readiness panel and the launch pages: a store without AddToCart events is blocked (with the
reason, nothing created); owners create a paused campaign through a confirmation, then launch it;
members cannot; TikTok's catalog diagnostics are shown."""
import time

from bs4 import BeautifulSoup

from server.extensions import db
from server.models.ads import AdLaunch
from server.models.audit import AuditEntry
from tests.accounts import add_to_store, csrf_token, make_user, sign_in
from tests.ads.launch_helpers import ads_world, api, catalog_store, log_event

CREATES = ("campaign/create/", "adgroup/create/", "ad/create/", "identity/create/")


def _page(client, store):
    response = client.get(f"/stores/{store.public_key}/ads/launch")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _checks(page):
    return {li["data-check"]: " ".join(li.get_text().split()) for li in page.select("#ready-checks li")}


def test_a_store_without_add_to_cart_events_cannot_launch(client, session, tiktok_emulator):
    store = catalog_store(tiktok_emulator, events=("ViewContent", "PlaceAnOrder", "PlaceAnOrder"))
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")

    page = _page(client, store)

    checks = _checks(page)
    assert checks["event:AddToCart"].startswith("Blocks Event AddToCart: not seen in the last 7 days")
    assert checks["event:ViewContent"].startswith("OK") and checks["products"].startswith("OK")
    assert page.select_one("[data-check='event:AddToCart'] a")["href"] == f"/stores/{store.public_key}/pixel"
    button = page.find(id="review-launch")
    assert button.has_attr("disabled")
    assert "Launch is disabled: Event AddToCart: not seen" in page.find(id="launch-blocked").get_text(" ")
    refused = client.post(f"/stores/{store.public_key}/ads/launch", data={
        "csrf_token": csrf_token(client, "/account"), "countries": "US", "budget": "50", "confirm": "yes"})
    assert refused.status_code == 422 and "not ready to advertise" in refused.get_data(as_text=True)
    assert [r for r in tiktok_emulator.requests() if r["path"] in CREATES] == []


def test_add_to_cart_counted_by_tiktok_is_enough(client, session, tiktok_emulator):
    store = catalog_store(tiktok_emulator, events=("ViewContent", "PlaceAnOrder"))
    add_to_store(store, make_user("ana@example.com"), "owner")
    api(tiktok_emulator, store.test_token, "POST", "event/track/", {
        "event_source": "web", "event_source_id": tiktok_emulator.pixel_code,
        "data": [{"event": "AddToCart", "event_time": int(time.time()), "page": {"url": "https://shop.example.com/"},
                  "properties": {"content_ids": ["SHOE-1"]}}]})
    tiktok_emulator.pass_rate_windows()
    sign_in(client, "ana@example.com")
    checks = _checks(_page(client, store))
    assert checks["event:AddToCart"] == "OK Event AddToCart: 1 counted by TikTok in the last 7 days"


def test_events_without_catalog_skus_block_too(client, session, tiktok_emulator):
    store = catalog_store(tiktok_emulator, events=("ViewContent", "PlaceAnOrder"))
    log_event(store, "AddToCart", ["not-a-sku"])
    db.session.commit()
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")
    checks = _checks(_page(client, store))
    assert "none of the latest 1 carried a content id that is a catalog SKU" in checks["event:AddToCart"]


def test_tiktoks_catalog_diagnostics_are_listed_with_examples(client, shop):
    sign_in(client, "ana@example.com")
    page = _page(client, shop)
    rows = {r.th.get_text(strip=True): [c.get_text(" ", strip=True) for c in r.find_all("td")]
            for r in page.select("#diagnostics-table tbody tr")}
    assert rows["Google product category is empty"][:2] == ["warning", "4 (100.0%)"]
    assert "SHOE-1" in rows["item_group_id is empty"][2]
    assert _checks(page)["diagnostics"].startswith("OK TikTok's catalog diagnostics: no critical issues")


def test_an_owner_creates_a_paused_campaign_then_launches_it(client, shop, tiktok_emulator):
    sign_in(client, "ana@example.com")
    page = _page(client, shop)
    assert not page.find(id="review-launch").has_attr("disabled")
    token = csrf_token(client, "/account")
    form = {"csrf_token": token, "set": "", "countries": "US, GB", "budget": "80", "start": "", "identity": "",
            "mode": "manual", "ad_text": "New season, new shoes"}

    review = client.post(f"/stores/{shop.public_key}/ads/launch", data=form)
    text = " ".join(BeautifulSoup(review.get_data(as_text=True), "html.parser").get_text(" ").split())
    assert review.status_code == 200 and "Create this campaign?" in text
    assert "Catalog ads (manual) for the whole catalog in US, GB, $80.00 a day" in text
    assert [r for r in tiktok_emulator.requests() if r["path"] in CREATES] == []

    created = client.post(f"/stores/{shop.public_key}/ads/launch", data={**form, "confirm": "yes"})
    assert created.status_code == 303
    row = db.session.query(AdLaunch).one()
    assert created.headers["Location"].endswith(f"/ads/launches/{row.id}")
    summary = BeautifulSoup(client.get(created.headers["Location"]).get_data(as_text=True), "html.parser")
    assert " ".join(summary.find(id="tiktok-status").get_text().split()) == \
        "campaign paused, ad group on, ad on"
    assert ads_world(tiktok_emulator)["campaigns"][row.campaign_id]["operation_status"] == "DISABLE"

    launched = client.post(f"/stores/{shop.public_key}/ads/launches/{row.id}/launch", data={"csrf_token": token})
    assert launched.status_code == 303
    assert ads_world(tiktok_emulator)["campaigns"][row.campaign_id]["operation_status"] == "ENABLE"
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)
               if e.action.startswith("ads.campaign")]
    assert actions == ["ads.campaign_created", "ads.campaign_launched"]
    ads_page = client.get(f"/stores/{shop.public_key}/ads").get_data(as_text=True)
    assert "launched a catalog campaign" in ads_page and f'data-launch="{row.id}"' in ads_page


def test_a_failure_is_shown_with_the_step_and_the_reason(client, shop, tiktok_emulator):
    tiktok_emulator.add_fault("code", path="ad/create/", code=40002, message="identity_id: identity is not ready.")
    sign_in(client, "ana@example.com")
    form = {"csrf_token": csrf_token(client, "/account"), "countries": "US", "budget": "50", "confirm": "yes"}
    response = client.post(f"/stores/{shop.public_key}/ads/launch", data=form, follow_redirects=True)
    text = " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ").split())
    assert "Creating the ad failed: TikTok said “identity_id: identity is not ready.”" in text
    assert "Failed at ad: identity_id: identity is not ready." in text
    enabled = [c for c in ads_world(tiktok_emulator)["campaigns"].values()
               if c.get("campaign_automation_type") == "MANUAL" and c["operation_status"] == "ENABLE"]
    assert enabled == []


def test_members_see_the_checks_but_cannot_create(client, shop, tiktok_emulator):
    sign_in(client, "bea@example.com")
    page = _page(client, shop)
    assert page.find(id="review-launch").has_attr("disabled")
    assert "Only an owner" in page.find(id="launch-blocked").get_text()
    response = client.post(f"/stores/{shop.public_key}/ads/launch", data={
        "csrf_token": csrf_token(client, "/account"), "countries": "US", "budget": "50", "confirm": "yes"})
    assert response.status_code == 403
    assert [r for r in tiktok_emulator.requests() if r["path"] in CREATES] == []
