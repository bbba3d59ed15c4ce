"""The ads pages' own files and TikTok being down: the stylesheet and script served from the ads
package, and connect's one TikTokUnavailable raised by ads and shown as the ads problem it always was
(the same status and words on the page and in ``flask ads``)."""
from pathlib import Path

from bs4 import BeautifulSoup

from server.ads import errors as ads_errors
from server.ads.service import tiktok_failure
from server.connect.errors import ConnectError, TikTokUnavailable
from server.tiktok.errors import TikTokNetworkError
from tests.accounts import sign_in
from tests.ads.helpers import campaigns_of, changes_received, post_change

ADS_STATIC = Path(__file__).resolve().parents[2] / "server" / "ads" / "static"


def test_the_ads_page_loads_its_stylesheet_and_script_from_the_ads_package(client, store):
    sign_in(client, "ana@example.com")
    page = BeautifulSoup(client.get(f"/stores/{store.public_key}/ads").get_data(as_text=True), "html.parser")
    stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    scripts = [script["src"] for script in page.find_all("script", src=True)]
    assert "/ads/static/ads.css" in stylesheets and "/ads/static/ads.js" in scripts
    for name in ("ads.css", "ads.js"):
        response = client.get(f"/ads/static/{name}")
        assert response.status_code == 200
        assert response.get_data() == (ADS_STATIC / name).read_bytes()
        response.close()


def test_ads_raises_connects_tiktok_unavailable():
    error = tiktok_failure(TikTokNetworkError("read timed out", maybe_processed=False), doing="reading the campaigns")
    assert type(error) is TikTokUnavailable and isinstance(error, ConnectError)
    assert (error.status, error.code) == (502, "tiktok_unavailable")
    assert error.message == ("TikTok could not answer while reading the campaigns: read timed out. "
                             "Try again in a few minutes")
    assert TikTokUnavailable in ads_errors.SHOWN  # what the ads pages show as the request's problem


def test_a_change_while_tiktok_is_down_is_explained_on_the_confirmation(client, store, tiktok_emulator):
    sign_in(client, "ana@example.com")
    campaign_id = sorted(campaigns_of(tiktok_emulator))[0]
    tiktok_emulator.add_fault("http_error", status=503)
    response = post_change(client, store, "pause", {"campaign_id": campaign_id, "period": "30"})
    assert response.status_code == 502
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.find(id="confirm-title").get_text() == "Pause this campaign?"
    assert "TikTok could not answer while looking up the campaign" in page.find(id="change-problem").get_text()
    assert changes_received(tiktok_emulator) == []


def test_flask_ads_says_tiktok_is_down_and_fails(runner, store, tiktok_emulator):
    tiktok_emulator.add_fault("http_error", status=503)
    result = runner.invoke(args=["ads", "campaigns", "--store", store.public_key])
    assert result.exit_code != 0
    assert "TikTok could not answer while reading the campaigns" in result.output
