"""Password reset by email (against a real SMTP server), sessions that end when they must, deleting
a store and deleting one's own account."""
import email
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from server.audit import entries_for_account
from server.catalog import service as catalog
from server.models.audit import AuditEntry
from server.models.catalog import CatalogProduct
from server.models.job import Job
from server.models.store import Store
from server.models.user import Membership, SignInSession, User
from tests.accounts import PASSWORD, add_to_store, cheap_hashing, csrf_token, make_user, post_form, sign_in  # noqa: F401
from tests.catalog.helpers import item
from tests.connect.helpers import connect, owner_store
from tests.factories import make_store


class Inbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        """aiosmtpd's hook: keep the message."""
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app_config):
    """A real SMTP server on 127.0.0.1 (aiosmtpd in a thread), set as the app's mail server."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app_config.update(TTC_SMTP_HOST="127.0.0.1", TTC_SMTP_PORT=controller.port, TTC_SMTP_SECURITY="none",
                      TTC_MAIL_FROM="shop-admin@example.com")
    yield received
    controller.stop()


def _reset_link(message):
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://\S+/password/reset/\S+", body).group(0)


def _ask_for_link(client, address="ana@example.com"):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"email": address, "csrf_token": token})


def _path(link):
    return "/" + link.split("/", 3)[3]


def test_a_reset_link_arrives_by_email_works_once_and_signs_out_every_browser(inbox, client, app, session):
    make_user()
    other_browser = app.test_client()
    sign_in(other_browser)
    assert "Forgot your password?" in client.get("/signin").get_data(as_text=True)
    answer = _ask_for_link(client)
    assert answer.status_code == 302
    assert "If an account has this email" in client.get(answer.location).get_data(as_text=True)
    assert inbox.arrived.wait(10)
    message = inbox.messages[0]
    assert message["To"] == "ana@example.com" and "shop-admin@example.com" in message["From"]
    link = _reset_link(message)
    page = client.get(_path(link))
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "For ana@example.com" in page.get_data(as_text=True)

    weak = client.post(_path(link), data={"new_password": "Password123", "csrf_token": csrf_token(client, _path(link))})
    assert weak.status_code == 422 and "very common password" in weak.get_data(as_text=True)
    done = client.post(_path(link), data={"new_password": "lighthouse kettle orbit",
                                          "csrf_token": csrf_token(client, _path(link))})
    assert done.status_code == 302 and done.location == "/signin"
    assert other_browser.get("/stores").status_code == 302  # signed out there
    sign_in(client, password="lighthouse kettle orbit")

    again = client.get(_path(link))
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    actions = [entry.action for entry in entries_for_account(session, User.query.one())]
    assert "user.password_reset" in actions and "user.password_reset_sent" in actions


def test_asking_twice_in_a_minute_sends_one_mail_and_says_the_same(inbox, client, session):
    make_user()
    first, second = _ask_for_link(client), _ask_for_link(client)
    assert first.status_code == second.status_code == 302
    assert inbox.arrived.wait(10)
    assert not _more_mail(inbox) and len(inbox.messages) == 1


def _more_mail(inbox):
    inbox.arrived.clear()
    return inbox.arrived.wait(0.5)


def test_an_unknown_email_gets_the_same_answer_and_no_mail(inbox, client, session):
    make_user()
    answer = _ask_for_link(client, "nobody@example.com")
    assert answer.status_code == 302
    assert "If an account has this email" in client.get(answer.location).get_data(as_text=True)
    assert not inbox.arrived.wait(0.5) and inbox.messages == []


def test_an_expired_or_forged_link_is_refused(inbox, client, app, session):
    user = make_user()
    from server.auth import reset

    with app.test_request_context():
        token = reset.make_token(user)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get(f"/password/reset/{forged}").status_code == 410
    app.config["TTC_PASSWORD_RESET_MINUTES"] = -1  # every link is older than that
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)


def test_without_a_mail_server_there_is_no_reset_offer(client, session):
    assert "Forgot your password?" not in client.get("/signin").get_data(as_text=True)
    page = client.get("/password/forgot")
    assert page.status_code == 404 and "flask user set-password" in page.get_data(as_text=True)


def test_a_mail_server_that_is_away_is_said_plainly(client, app, session, app_config):
    make_user()
    app.config.update(TTC_SMTP_HOST="127.0.0.1", TTC_SMTP_PORT=_free_port(), TTC_SMTP_SECURITY="none")
    answer = _ask_for_link(client)
    assert answer.status_code == 503 and "did not take the message" in answer.get_data(as_text=True)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(client, app, session):
    make_user()
    other_browser = app.test_client()
    sign_in(other_browser)
    sign_in(client)
    assert post_form(client, "/account/password", {"current_password": PASSWORD,
                                                   "new_password": "lighthouse kettle orbit"}).status_code == 302
    assert client.get("/account").status_code == 200
    assert other_browser.get("/account").status_code == 302
    assert session.execute(select(func.count(SignInSession.id))).scalar_one() == 1


def test_a_removed_member_loses_the_store_at_once(client, app, session):
    store = make_store()
    add_to_store(store, make_user("ana@example.com"), "owner")
    add_to_store(store, make_user("bea@example.com"), "member")
    bea = app.test_client()
    sign_in(bea, "bea@example.com")
    assert bea.get(f"/stores/{store.public_key}").status_code == 200
    sign_in(client)
    removed = post_form(client, f"/stores/{store.public_key}/members/remove", {"email": "bea@example.com"})
    assert removed.status_code == 302
    assert bea.get(f"/stores/{store.public_key}").status_code == 404
    assert store.name not in bea.get("/stores").get_data(as_text=True)


def test_deleting_a_store_disconnects_stops_and_removes_everything_but_keeps_tiktok_products(
        app_config, tiktok_emulator, request):
    app_config.update(tiktok_emulator.app_settings())
    client, session = request.getfixturevalue("client"), request.getfixturevalue("session")
    store = owner_store(client)
    assert connect(client, store, tiktok_emulator).status_code == 302
    catalog.push_products(session, store, [item("sku-1"), item("sku-2")])
    key, store_id = store.public_key, store.id
    settings = client.get(f"/stores/{key}/settings").get_data(as_text=True)
    assert "Delete this store" in settings and "stay there" in settings

    wrong = post_form(client, f"/stores/{key}/delete", {"confirm": "loja exemplo"})
    assert wrong.status_code == 422 and "Type the store" in wrong.get_data(as_text=True)
    assert session.get(Store, store_id) is not None

    done = post_form(client, f"/stores/{key}/delete", {"confirm": "Loja Exemplo"})
    assert done.status_code == 302 and done.location == "/stores"
    assert "stay on TikTok" in client.get("/stores").get_data(as_text=True)
    session.expire_all()
    assert session.get(Store, store_id) is None
    for model in (CatalogProduct, Membership):
        left = select(func.count()).select_from(model).where(model.store_id == store_id)
        assert session.execute(left).scalar_one() == 0
    assert len(tiktok_emulator.requests("oauth2/revoke_token/")) == 1
    assert session.execute(select(Job).where(Job.key == f"catalog:{store_id}", Job.status == "queued")).first() is None
    assert client.get(f"/pixel/{key}/config.json").status_code == 404
    audit = session.execute(select(AuditEntry).where(AuditEntry.action == "store.deleted")).scalar_one()
    assert audit.details["key"] == key and audit.actor == "ana@example.com"
    assert client.get(f"/stores/{key}").status_code == 404


def test_members_cannot_delete_a_store(client, session):
    store = make_store()
    add_to_store(store, make_user("ana@example.com"), "member")
    sign_in(client)
    assert "Delete this store" not in client.get(f"/stores/{store.public_key}/settings").get_data(as_text=True)
    assert post_form(client, f"/stores/{store.public_key}/delete", {"confirm": store.name}).status_code == 403
    assert session.get(Store, store.id) is not None


def test_a_sole_owner_must_hand_over_or_delete_the_store_before_deleting_the_account(client, app, session):
    store = make_store()
    ana = make_user("ana@example.com")
    add_to_store(store, ana, "owner")
    other_browser = app.test_client()
    sign_in(other_browser)
    sign_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert "You are the only owner of" in page and "Loja Exemplo" in page
    refused = post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "delete"})
    assert refused.status_code == 422 and "make someone else owner" in refused.get_data(as_text=True)

    add_to_store(store, make_user("bea@example.com"), "owner")
    wrong = post_form(client, "/account/delete", {"password": "not it at all", "confirm": "delete"})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    done = post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "delete"})
    assert done.status_code == 302 and done.location == "/signin"
    session.expire_all()
    assert session.execute(select(User).where(User.email == "ana@example.com")).first() is None
    assert session.execute(select(func.count(SignInSession.id))).scalar_one() == 0
    assert other_browser.get("/stores").status_code == 302
    assert session.get(Store, store.id) is not None  # the store stays with its other owner
