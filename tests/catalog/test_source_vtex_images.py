"""VTEX images of unknown or small size are sent in their 1000x1000 resize form (VTEX_API.md 2.8),
said in the product's "why"; the 500x500 check measures the resize, served by the VTEX emulator's
image route over HTTPS, and never fetches the original."""
import pytest

from server.catalog.sources.vtex import sized_image
from tests.catalog.helpers import states
from tests.catalog.image_server import self_signed_certificate
from tests.catalog.sources_helpers import FAST, products, pull, set_vtex
from tests.emulator_server import AppServer


@pytest.fixture
def app_config(app_config):
    """Unpaced requests, no notification delay."""
    return {**app_config, **FAST}


@pytest.fixture
def image_cdn(vtex_emulator_server, tmp_path):
    """The VTEX emulator's image route over HTTPS (as the CDN is), on ``localhost``; its CA file."""
    cert, key = self_signed_certificate(tmp_path)
    server = AppServer(vtex_emulator_server.app, ssl_context=(str(cert), str(key))).start()
    yield f"https://localhost:{server.port}", cert
    server.stop()


@pytest.mark.parametrize("url, sent, said", [
    ("https://a.vteximg.com.br/arquivos/ids/155602/robo.jpg?v=6373",
     "https://a.vteximg.com.br/arquivos/ids/155602-1000-1000/robo.jpg?v=6373", "VTEX does not say its size"),
    ("https://a.vteximg.com.br/arquivos/ids/168952-55-55/x.jpg",
     "https://a.vteximg.com.br/arquivos/ids/168952-1000-1000/x.jpg", "asks for 55x55 px"),
    ("https://a.vtexassets.com/arquivos/ids/7", "https://a.vtexassets.com/arquivos/ids/7-1000-1000",
     "VTEX does not say its size"),
    ("https://a.vteximg.com.br/arquivos/ids/9-800-600/x.jpg", "https://a.vteximg.com.br/arquivos/ids/9-800-600/x.jpg",
     None),
    ("https://cdn.example.com/img/9.jpg", "https://cdn.example.com/img/9.jpg", None),
    ("https://a.vteximg.com.br/arquivos/ids/12abc/x.jpg", "https://a.vteximg.com.br/arquivos/ids/12abc/x.jpg", None),
])
def test_which_urls_are_resized(url, sent, said):
    new, note = sized_image(url)
    assert new == sent
    assert (note is None) if said is None else (said in note)


def test_the_check_measures_the_resize_and_never_the_original(runner, app, store, vtex_emulator, image_cdn):
    base, ca_file = image_cdn
    vtex_emulator.reset(products=3, skus_per_product=2, image_base=base)
    vtex_emulator.set_image(1, 400, 400)  # small: the resize enlarges it
    vtex_emulator.set_image(2, 1200, 300)  # thin: still too small once resized
    app.config.update(TTC_IMAGE_CHECKS=True, TTC_IMAGE_ALLOW_PRIVATE_HOSTS="localhost",
                      TTC_IMAGE_CA_BUNDLE=str(ca_file), TTC_IMAGE_TIMEOUT=5.0)
    set_vtex(runner, store, vtex_emulator)
    output = pull(runner, store)
    assert "6 read: 6 ready for TikTok" in output
    assert "6 items with something the catalog source changed on the way in" in output
    rows = products(store)
    assert rows["3"].data["image_link"] == f"{base}/arquivos/ids/3-1000-1000/c.jpg"
    assert rows["3"].data["additional_image_links"] == [f"{base}/arquivos/ids/500003-1000-1000/v.jpg"]
    why = runner.invoke(args=["catalog", "why", "--store", store.public_key, "3"]).output
    assert "VTEX does not say its size, so its 1000x1000 resize (/arquivos/ids/3-1000-1000/) is sent" in why

    assert runner.invoke(args=["catalog", "sync", "--store", store.public_key]).exit_code == 0

    found = states(store)
    assert found["2"] == "invalid" and found["1"] != "invalid" and found["3"] != "invalid"
    why = runner.invoke(args=["catalog", "why", "--store", store.public_key, "2"]).output
    assert "the image is 1000x250 px; TikTok needs at least 500x500" in why
    asked = vtex_emulator.image_requests()
    assert asked and all("-1000-1000/" in path for path in asked)  # no original was downloaded
