"""Importing a feed from the Catalog page in Chromium: by upload and by URL, the progress bar moving
while the job reads, the summary at the end; screenshots at desktop and phone widths."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD, add_to_store, cheap_hashing, make_user  # noqa: F401
from tests.catalog.admin_feeds import SlowFeedServer, csv_feed
from tests.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
WOOCOMMERCE_EXPORT = Path(__file__).parent / "fixtures" / "feeds" / "woocommerce_sample_products.csv"


@pytest.fixture
def app_config(app_config):
    """Jobs run in the server, as in production; the test's feed server is on 127.0.0.1."""
    app_config.update(TTC_JOB_RUNNER="embedded", TTC_JOB_POLL_SECONDS=0.1, TTC_FEED_ALLOW_PRIVATE_HOSTS="127.0.0.1")
    return app_config


@pytest.fixture
def signed_in(live_server, page):
    """An owner of an empty store, signed in; returns the store's key (the app fixture stops the runner)."""
    with live_server.app.app_context():
        store = make_store(pixel_code="")
        add_to_store(store, make_user(), "owner")
        key = store.public_key
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")
    return key


def _shot(page, folder, name):
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _bar_partly_filled(page):
    page.wait_for_function("() => { const bar = document.getElementById('import-bar');"
                           " return bar && bar.value > 0 && bar.value < bar.max; }", timeout=20000)


def test_import_by_url_shows_the_bar_moving_then_the_summary(live_server, page, signed_in, tmp_path):
    shots = tmp_path / "shots"
    page.set_viewport_size(DESKTOP)
    page.goto(live_server(f"/stores/{signed_in}/catalog"))
    expect(page.get_by_role("heading", name="How products come in")).to_be_visible()
    _shot(page, shots, "catalog-empty-desktop")
    feed = csv_feed(3000, bad=["BAD,short\n"])
    with SlowFeedServer(feed, pieces=10, pause=0.4) as shop:
        page.get_by_label("or its URL").fill(shop.url)
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.locator("#import-bar")).to_be_visible()
        _bar_partly_filled(page)
        expect(page.locator("#import-state")).to_have_text("Reading the feed…")
        _shot(page, shots, "import-url-progress-desktop")
        expect(page.get_by_text("Import finished")).to_be_visible(timeout=30000)
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("3001")  # items read, whatever the summary's wording
    expect(summary).to_contain_text("has 2 columns")
    _shot(page, shots, "import-url-summary-desktop")
    page.get_by_role("link", name="Back to the catalog").click()
    expect(page.locator("#products tbody tr").first).to_be_visible()
    assert page.console_errors == []


def test_import_by_upload_on_a_phone(live_server, page, signed_in, tmp_path):
    shots = tmp_path / "shots"
    page.set_viewport_size(PHONE)
    feed = tmp_path / "produtos.csv"
    feed.write_bytes(csv_feed(40))
    page.goto(live_server(f"/stores/{signed_in}/catalog"))
    _shot(page, shots, "catalog-empty-phone")
    page.get_by_label("Upload a feed file").set_input_files(str(feed))
    page.get_by_label("additions and changes only").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import #")).to_contain_text("produtos.csv")
    expect(page.get_by_text("Import finished")).to_be_visible(timeout=30000)
    expect(page.locator("#import-summary")).to_contain_text("40")
    expect(page.get_by_text("nothing removed")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out sideways on a phone
    _shot(page, shots, "import-upload-summary-phone")
    assert page.console_errors == []


def test_import_by_url_on_a_phone(live_server, page, signed_in, tmp_path):
    shots = tmp_path / "shots"
    page.set_viewport_size(PHONE)
    page.goto(live_server(f"/stores/{signed_in}/catalog"))
    with SlowFeedServer(csv_feed(25, prefix="P")) as shop:
        page.get_by_label("or its URL").fill(shop.url)
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_text("Import finished")).to_be_visible(timeout=30000)
    expect(page.locator("#import-summary")).to_contain_text("25")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, shots, "import-url-summary-phone")
    assert page.console_errors == []


def test_a_real_woocommerce_export_uploaded_at_desktop_width_says_why_nothing_is_ready(live_server, page, signed_in,
                                                                                          tmp_path):
    shots = tmp_path / "shots"
    page.set_viewport_size(DESKTOP)
    page.goto(live_server(f"/stores/{signed_in}/catalog"))
    page.get_by_label("Upload a feed file").set_input_files(str(WOOCOMMERCE_EXPORT))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import #")).to_contain_text("woocommerce_sample_products.csv")
    expect(page.get_by_text("Import finished")).to_be_visible(timeout=30000)
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("24 read: 0 ready for TikTok, 24 invalid")
    expect(summary).to_contain_text("'Short description' is not a Merchant Center column; did you mean 'description'?")
    _shot(page, shots, "import-upload-summary-desktop")
    assert page.console_errors == []
