"""Test helpers for accounts: cheap password hashing, users, members, API keys, signing in."""
import re
from contextlib import contextmanager

import pytest

from server.app import create_app
from server.auth import accounts, api_keys
from server.auth.access import Caller
from server.extensions import db
from server.models.user import Membership

PASSWORD = "correct horse battery"
# argon2id with the smallest cost: hashing is what the tests exercise, not its price.
CHEAP_ARGON2 = {"TTC_ARGON2_TIME_COST": 1, "TTC_ARGON2_MEMORY_KIB": 8, "TTC_ARGON2_PARALLELISM": 1}


@pytest.fixture(autouse=True)
def cheap_hashing(app_config):
    """Lower the argon2 cost for the app under test (import this fixture into a test module)."""
    app_config.update(CHEAP_ARGON2)


@contextmanager
def another_app(config):
    """A second application on the same database (another worker), closed afterwards."""
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_user(email="ana@example.com", password=PASSWORD):
    """A committed account (inside an app context)."""
    return accounts.create_user(db.session, email, password)


def add_to_store(store, user, role="owner"):
    """Give a user a role in a store (committed)."""
    db.session.add(Membership(store_id=store.id, user_id=user.id, role=role))
    db.session.commit()


def make_api_key(store, name="tests"):
    """A new API key for the store; returns (row, key)."""
    return api_keys.create_api_key(db.session, Caller.operator(), store, name)


def csrf_token(client, path="/signin"):
    """The CSRF token of the client's session, read from a page the way a browser would."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, email="ana@example.com", password=PASSWORD):
    """Sign in through the form; returns the response."""
    response = client.post("/signin", data={"email": email, "password": password,
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_form(client, path, data=None):
    """POST a form with the session's CSRF token, as the page would."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/account")})


def bearer(key):
    """The Authorization header for an API key."""
    return {"Authorization": f"Bearer {key}"}
