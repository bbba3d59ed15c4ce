"""http:// links and images tried in their https:// form against real local HTTP and HTTPS servers."""
import pytest

from server.extensions import db
from tests.catalog.helpers import cli_json
from tests.catalog.image_server import ImageServer, image_bytes, self_signed_certificate

PAGE = b"<html><body>Camiseta</body></html>"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def local_hosts(app, tls, store):
    """The app may reach localhost and trusts the test certificate; the store sells on localhost."""
    app.config.update(TTC_IMAGE_ALLOW_PRIVATE_HOSTS="localhost", TTC_IMAGE_CA_BUNDLE=str(tls[0]), TTC_IMAGE_TIMEOUT=5.0)
    store.domains = ["localhost"]
    db.session.commit()


@pytest.fixture
def secure_site(tls):
    with ImageServer({"/p/1": PAGE, "/p/2": PAGE, "/1.jpg": image_bytes(600, 600, "JPEG")}, tls=tls) as server:
        yield server


@pytest.fixture
def plain_site():
    with ImageServer({"/p/1": PAGE, "/1.jpg": image_bytes(600, 600, "JPEG")}) as server:
        yield server


def feed_of(tmp_path, *rows):
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,description,link,image_link,price,availability,condition,brand\n"
                    + "".join(f"{sku},Camiseta,Algodao,{link},{image},9.90 BRL,in stock,new,Acme\n"
                              for sku, link, image in rows))
    return feed


def http_form(server, path):
    """The URL as an old store writes it: http://, on the host and port that answer https."""
    return server.url(path).replace("https://", "http://")


def import_feed(runner, store, feed):
    result = runner.invoke(args=["catalog", "import", str(feed), "--store", store.public_key])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("import_worker", ["never", "always"])
def test_http_urls_are_sent_as_https_when_that_answers(runner, store, local_hosts, secure_site, tmp_path):
    feed = feed_of(tmp_path, ("H1", http_form(secure_site, "/p/1"), http_form(secure_site, "/1.jpg")),
                   ("H2", http_form(secure_site, "/p/2"), http_form(secure_site, "/1.jpg")))

    output = import_feed(runner, store, feed)

    assert output.startswith("2 read: 2 ready for TikTok, 0 invalid")
    assert "note: 2 items with http:// links or images: their https:// form answered and is sent" in output
    assert len(secure_site.log) == 1  # one try per host, whatever the number of URLs on it
    why = cli_json(runner, "catalog", "why", "--store", store.public_key, "H1", "--json")
    assert why["state"] == "queued"
    assert "link was written with http://; its https:// form answered and is sent instead" in why["notes"]
    assert "image_link was written with http://; its https:// form answered and is sent instead" in why["notes"]
    product = cli_json(runner, "catalog", "products", "--store", store.public_key, "--json")["products"]
    assert [p["id"] for p in product] == ["H1", "H2"]


def test_http_urls_stay_refused_when_https_does_not_answer(runner, store, local_hosts, plain_site, tmp_path):
    feed = feed_of(tmp_path, ("P1", http_form(plain_site, "/p/1"), "https://localhost/1.jpg"))

    output = import_feed(runner, store, feed)

    assert output.startswith("1 read: 0 ready for TikTok, 1 invalid (link is http:// and its https:// form did not "
                             "work: 1)")
    (reason,) = cli_json(runner, "catalog", "why", "--store", store.public_key, "P1", "--json")["reasons"]
    assert reason["message"] == ("link is an http:// address; TikTok needs https:// (its https:// form did not "
                                 "answer: could not fetch localhost: SSLError)")


def test_an_https_form_that_answers_an_error_is_not_used(runner, store, local_hosts, secure_site, tmp_path):
    feed = feed_of(tmp_path, ("E1", http_form(secure_site, "/gone"), http_form(secure_site, "/1.jpg")))

    import_feed(runner, store, feed)

    reasons = cli_json(runner, "catalog", "why", "--store", store.public_key, "E1", "--json")["reasons"]
    assert {r["message"] for r in reasons} == {
        "link is an http:// address; TikTok needs https:// (its https:// form answered HTTP 404)",
        "image_link is an http:// address; TikTok needs https:// (its https:// form answered HTTP 404)"}


def test_a_store_can_turn_trying_https_off(runner, store, local_hosts, secure_site, tmp_path):
    turned = runner.invoke(args=["catalog", "https-upgrade", "--store", store.public_key, "off"])
    assert "left as they are" in turned.stdout
    feed = feed_of(tmp_path, ("O1", http_form(secure_site, "/p/1"), http_form(secure_site, "/1.jpg")))

    output = import_feed(runner, store, feed)

    assert output.startswith("1 read: 0 ready for TikTok, 1 invalid")
    assert secure_site.log == []  # nothing was tried
    reasons = cli_json(runner, "catalog", "why", "--store", store.public_key, "O1", "--json")["reasons"]
    assert {r["message"] for r in reasons} == {
        "link is an http:// address; TikTok needs https:// (trying the https:// form is turned off for this store)",
        "image_link is an http:// address; TikTok needs https:// (trying the https:// form is turned off for this "
        "store)"}
