"""Image checks: real PNG and JPEG files of known sizes served over HTTPS, read by their header only."""
import pytest

from server.catalog import fetch, service
from server.catalog.checks.images import check_images, measure
from server.extensions import db
from tests.catalog.helpers import item, remote, states
from tests.catalog.image_server import ImageServer, image_bytes, self_signed_certificate

LOCAL = frozenset({"localhost"})


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def files():
    return {"/big.png": image_bytes(1600, 1200, "PNG", noise=True),
            "/square.jpg": image_bytes(800, 800, "JPEG"),
            "/profiled.jpg": image_bytes(700, 700, "JPEG", metadata_bytes=150_000),
            "/small.png": image_bytes(400, 400, "PNG"),
            "/thin.jpg": image_bytes(1200, 300, "JPEG"),
            "/anim.gif": image_bytes(800, 800, "GIF"),
            "/page.html": b"<html>not an image</html>"}


@pytest.fixture
def server(files, tls):
    with ImageServer(files, tls=tls, slow={"/slow.png"}, delay=2.0,
                     redirects={"/moved.png": "/square.jpg", "/to-metadata": "http://169.254.169.254/latest/",
                                "/to-private": "http://10.1.2.3/x.png"}) as running:
        running.files["/slow.png"] = files["/big.png"]
        yield running


@pytest.fixture
def http(tls):
    with fetch.guarded_session(private_hosts=LOCAL, ca_bundle=str(tls[0])) as session:
        yield session


def check(http, server, path, **options):
    return measure(http, server.url(path), timeout=options.pop("timeout", 5.0), private_hosts=LOCAL, **options)


@pytest.mark.parametrize("path, outcome, size, fmt", [
    ("/big.png", "ok", (1600, 1200), "PNG"),
    ("/square.jpg", "ok", (800, 800), "JPEG"),
    ("/moved.png", "ok", (800, 800), "JPEG"),
    ("/small.png", "too_small", (400, 400), "PNG"),
    ("/thin.jpg", "too_small", (1200, 300), "JPEG"),
    ("/anim.gif", "bad_format", (800, 800), "GIF"),
])
def test_size_and_type_are_read_from_the_header(http, server, path, outcome, size, fmt):
    result = check(http, server, path)
    assert (result.outcome, (result.width, result.height), result.image_format) == (outcome, size, fmt)


def test_only_the_first_bytes_are_fetched(http, server, files):
    assert check(http, server, "/big.png").outcome == "ok"
    assert len(files["/big.png"]) > 1_000_000
    assert [entry["range"] for entry in server.log] == ["bytes=0-65535"]
    # A large colour profile comes before the size in this JPEG: a second, larger range reads it.
    assert check(http, server, "/profiled.jpg").width == 700
    assert [entry["range"] for entry in server.log[1:]] == ["bytes=0-65535", "bytes=0-1048575"]


def test_what_is_not_an_image_says_so(http, server):
    assert check(http, server, "/page.html").outcome == "bad_format"
    missing = check(http, server, "/nothing.png")
    assert missing.outcome == "unreachable" and "HTTP 404" in missing.message


def test_each_image_has_a_time_limit(http, server):
    result = check(http, server, "/slow.png", timeout=0.5)
    assert result.outcome == "unreachable" and result.network_failure


def test_private_and_loopback_addresses_are_refused(tls, server):
    with fetch.guarded_session(ca_bundle=str(tls[0])) as strict:
        for url in (server.url("/big.png"), server.url("/big.png", host="127.0.0.1"),
                    "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/x.png", "http://10.0.0.8/x.png"):
            assert measure(strict, url, timeout=2).outcome == "blocked", url
    assert not any(fetch.address_allowed(a) for a in ("127.0.0.1", "10.1.1.1", "192.168.0.2", "169.254.169.254",
                                                      "::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1"))
    assert fetch.address_allowed("93.184.216.34") and fetch.address_allowed("2606:4700::1111")


def test_redirects_to_internal_addresses_are_refused(http, server):
    for path in ("/to-metadata", "/to-private"):
        result = check(http, server, path)
        assert result.outcome == "blocked" and "internal address" in result.message


@pytest.fixture
def image_config(app, tls):
    app.config.update(TTC_IMAGE_CHECKS=True, TTC_IMAGE_ALLOW_PRIVATE_HOSTS="localhost",
                      TTC_IMAGE_CA_BUNDLE=str(tls[0]), TTC_IMAGE_TIMEOUT=5.0)
    return app.config


def test_results_are_cached_and_rechecked_conditionally(session, server, image_config):
    urls = [server.url("/square.jpg"), server.url("/small.png")]
    first = check_images(db.session, urls, config=image_config)
    assert {u: c.outcome for u, c in first.items()} == {urls[0]: "ok", urls[1]: "too_small"}
    db.session.commit()
    check_images(db.session, urls, config=image_config)
    assert len(server.log) == 2  # fresh in the cache: nothing fetched

    again = check_images(db.session, urls[:1], config=image_config, force=True)
    assert again[urls[0]].outcome == "ok"
    assert server.log[-1]["if_none_match"]  # asked "changed since?" and got 304 Not Modified


def test_undersized_images_keep_products_off_tiktok_until_fixed(runner, session, store, server, image_config,
                                                                tiktok_emulator):
    store.domains = ["localhost"]
    db.session.commit()
    link = server.url("/p/1")
    service.push_products(session, store, [item("OK", image_link=server.url("/big.png"), link=link),
                                           item("SMALL", image_link=server.url("/small.png"), link=link),
                                           item("GIF", image_link=server.url("/anim.gif"), link=link)])

    assert runner.invoke(args=["catalog", "sync", "--store", store.public_key]).exit_code == 0

    assert sorted(remote(tiktok_emulator, store)) == ["OK"]
    assert states(store) == {"OK": "listed", "SMALL": "invalid", "GIF": "invalid"}
    answer = runner.invoke(args=["catalog", "why", "--store", store.public_key, "SMALL"]).output
    assert "the image is 400x400 px; TikTok needs at least 500x500" in answer

    service.push_products(session, store, [item("SMALL", image_link=server.url("/square.jpg"), link=link)])
    assert runner.invoke(args=["catalog", "sync", "--store", store.public_key]).exit_code == 0
    assert sorted(remote(tiktok_emulator, store)) == ["OK", "SMALL"]
