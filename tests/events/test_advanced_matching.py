"""The shopper's name, address and locale on the Events API ``user``: normalised and hashed by
TikTok's rules, sent only when the store turned advanced matching on, from the browser's beacon
and from the store's backend alike."""
import hashlib

from server.events import normalise
from server.events.relay import tiktok_event
from server.extensions import db
from server.stores import service
from tests.accounts import cheap_hashing, make_api_key  # noqa: F401
from tests.events.helpers import beacon, post_beacon, relay, rows

SHOPPER = {"email": "Ana@Example.com", "first_name": "  José ", "last_name": "O'Brien", "city": "São Paulo",
           "state": "SP", "country": "BR", "zip_code": "01310-100", "locale": "pt_BR"}
PROFILE = ["city", "country", "first_name", "last_name", "locale", "state", "zip_code"]


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_names_and_addresses_are_normalised_then_hashed():
    keys = normalise.profile(SHOPPER)
    assert keys == {"first_name": sha("josé"), "last_name": sha("obrien"), "zip_code": sha("01310100"),
                    "city": sha("sãopaulo"), "state": sha("sp"), "country": sha("br"), "locale": "pt-BR"}
    assert normalise.profile({"first_name": sha("josé"), "country": "Brazil", "locale": "<b>"}) == {
        "first_name": sha("josé")}  # a hash kept as it is; what is not a country or a tag, left out


def test_a_store_with_advanced_matching_sends_them_from_the_browser(app, client, store, tiktok_emulator):
    service.update_store(db.session, store, advanced_matching=True)
    post_beacon(client, store, beacon(user={**SHOPPER, "phone_number": "(11) 91234-5678"}))
    [row] = rows(store)
    assert "josé" not in str(row.context).lower() and "paulo" not in str(row.context).lower()
    sent = tiktok_event(row)["user"]
    assert sent["first_name"] == sha("josé") and sent["locale"] == "pt-BR"
    relay(app)
    [event] = tiktok_emulator.events(store.pixel_code)
    assert set(PROFILE) <= set(event["user_keys"]) and {"email", "phone"} <= set(event["user_keys"])


def test_without_advanced_matching_the_name_and_address_stay_behind(app, client, store, tiktok_emulator):
    assert not store.advanced_matching
    post_beacon(client, store, beacon(user=SHOPPER))
    relay(app)
    [event] = tiktok_emulator.events(store.pixel_code)
    assert not set(PROFILE) & set(event["user_keys"])


def test_the_backend_may_send_them_too(app, client, store, tiktok_emulator):
    from tests.events.test_orders_api import ORDER, report

    api_key = make_api_key(store)[1]
    service.update_store(db.session, store, advanced_matching=True)
    response = report(client, store, api_key, body={**ORDER, **SHOPPER})
    assert response.status_code == 202, response.get_json()
    relay(app)
    [event] = tiktok_emulator.events(store.pixel_code)
    assert set(PROFILE) <= set(event["user_keys"])
