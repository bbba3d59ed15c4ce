"""Sign-in's ``next``: only a path on this site is followed, on GET and POST, and in a real browser."""
from urllib.parse import quote, urlsplit

import pytest

from server.extensions import db
from server.models.user import SignInSession
from tests.accounts import PASSWORD, cheap_hashing, csrf_token, make_user, sign_in  # noqa: F401

DEFAULT = "/stores"
BYPASSES = [
    "//evil.example/phish", "/%09/evil.example/phish", "/\t/evil.example/phish", "/\\evil.example",
    "\\\\evil.example", "/\\/evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
    "/%5Cevil.example", "https:evil.example", "https://evil.example", "http:/evil.example", "javascript:alert(1)",
    "/\r\nLocation: https://evil.example", "/\nSet-Cookie: sid=x", "/%0d%0aSet-Cookie:%20sid=x",
    "/\uff0f\uff0fevil.example", "/\u2215evil.example", "\uff0f\uff0fevil.example", "/ /evil.example",
    " //evil.example", "///evil.example", "////evil.example", "evil.example",
]
SAME_SITE = ["/stores", "/stores/abc/events?tab=log&page=2", "/account"]


def followed(location):
    """Where a browser goes: the path, or the foreign host it would reach."""
    parts = urlsplit(location)
    assert not parts.netloc and not parts.scheme and not location.startswith(("//", "/\\")), location
    return location


@pytest.fixture
def user(session):
    return make_user()


@pytest.mark.parametrize("target", BYPASSES)
def test_signed_in_get_follows_no_foreign_next(client, user, target):
    sign_in(client)

    response = client.get("/signin?next=" + quote(target, safe=""))

    assert response.status_code == 302
    assert followed(response.headers["Location"]) == DEFAULT


@pytest.mark.parametrize("target", BYPASSES)
def test_post_follows_no_foreign_next_and_starts_one_session(client, user, target):
    response = client.post("/signin", data={"email": user.email, "password": PASSWORD, "next": target,
                                            "csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert followed(response.headers["Location"]) == DEFAULT
    assert db.session.query(SignInSession).count() == 1
    assert client.get("/account").status_code == 200  # signed in, and the session works


@pytest.mark.parametrize("target", SAME_SITE)
def test_a_path_on_this_site_is_followed(client, user, target):
    response = client.post("/signin", data={"email": user.email, "password": PASSWORD, "next": target,
                                            "csrf_token": csrf_token(client)})

    assert response.headers["Location"] == target


def test_a_foreign_next_is_not_echoed_in_the_form(client, user):
    page = client.get("/signin?next=" + quote("/\t/evil.example/phish")).get_data(as_text=True)

    assert "evil.example" not in page


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("target", ["/%09/evil.example/phish", "/%5C/evil.example/phish", "/%E2%88%95evil.example"])
def test_chromium_stays_on_the_site_after_sign_in(live_server, page, target):
    with live_server.app.app_context():
        make_user()
    host = urlsplit(live_server.url).netloc

    page.goto(live_server(f"/signin?next={target}"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).netloc == host and urlsplit(page.url).path == DEFAULT

    page.goto(live_server(f"/signin?next={target}"))  # signed in: the GET redirects at once
    assert urlsplit(page.url).netloc == host and urlsplit(page.url).path == DEFAULT
