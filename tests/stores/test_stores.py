"""Stores: validation rules, the service, and the command line."""
import json

import pytest

from server.errors import ValidationError
from server.extensions import db
from server.stores import service
from tests.factories import make_store


def test_store_key_is_random_urlsafe_and_not_sequential(session):
    keys = [make_store(name=f"Store {i}").public_key for i in range(5)]
    assert len(set(keys)) == 5
    for key in keys:
        assert len(key) >= 22
        assert set(key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert sorted(keys) != keys or sorted(keys, reverse=True) != keys  # not a counter


@pytest.mark.parametrize("country, currency", [("BR", "BRL"), ("US", "USD"), ("GB", "EUR"), ("IL", "USD")])
def test_country_currency_pairs_tiktok_accepts(session, country, currency):
    store = make_store(country=country.lower(), currency=currency.lower())
    assert (store.country, store.currency) == (country, currency)


@pytest.mark.parametrize("country, currency, field, message", [
    ("BR", "USD", "currency", "TikTok accepts BRL for stores in BR, not USD"),
    ("RU", "USD", "currency", "TikTok accepts RUB for stores in RU, not USD"),
    ("XX", "USD", "country", "not an ISO 3166 country code"),
    ("AR", "ARS", "country", "TikTok does not accept catalogs from AR"),
    ("US", "DOLLARS", "currency", "not an ISO 4217 currency code"),
    ("US", "XYZ", "currency", "not an ISO 4217 currency code"),
])
def test_bad_country_or_currency_is_refused_with_a_clear_message(session, country, currency, field, message):
    with pytest.raises(ValidationError) as caught:
        make_store(country=country, currency=currency)
    assert message in caught.value.fields[field]


def test_every_bad_field_is_reported_at_once(session):
    with pytest.raises(ValidationError) as caught:
        make_store(domains=["not a domain"], platform="shopify", phone="12", pixel_code="<script>")
    assert set(caught.value.fields) == {"domains", "platform", "phone", "pixel_code"}
    assert service.list_stores(session) == []


def test_domains_are_normalised_from_pasted_urls(session):
    store = make_store(domains="https://Loja.Example.com/home, www.loja.example.com loja.example.com:8443 "
                               "lojá.example.com")
    assert store.domains == ["loja.example.com", "www.loja.example.com", "loja.example.com:8443",
                             "xn--loj-gla.example.com"]


def test_phone_is_stored_in_e164(session):
    assert make_store(phone="(+55) 11 91234-5678").phone == "+5511912345678"
    assert make_store(phone="0044 20 7946 0958").phone == "+442079460958"
    assert make_store(phone="").phone is None


def test_pixel_defaults_and_order_event_choice(session):
    store = make_store()
    # The catalog's three and the funnel steps every platform reports reliably.
    assert store.events == ["ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo", "Search"]
    assert store.order_event == "Purchase"  # TikTok deprecated PlaceAnOrder (sunset 2027)
    assert store.consent_mode == "none" and store.advanced_matching is False
    service.update_store(session, store, order_event="PlaceAnOrder", events="AddToCart,Purchase",
                         consent_mode="hold until granted")
    assert store.order_event == "PlaceAnOrder"
    assert store.events == ["AddToCart", "PlaceAnOrder"]
    assert store.consent_mode == "hold"
    session.expire_all()  # a store that chose PlaceAnOrder keeps it: the default is for new stores
    assert session.get(type(store), store.id).order_event == "PlaceAnOrder"


def test_pixel_is_off_without_a_code_or_when_disconnected(session):
    assert make_store().pixel_live
    assert not make_store(pixel_code="").pixel_live
    store = make_store()
    store.tiktok_state = "disconnected"
    db.session.commit()
    assert not store.pixel_live


def test_changing_the_country_rechecks_the_currency(session):
    store = make_store(country="US", currency="EUR")
    with pytest.raises(ValidationError) as caught:
        service.update_store(session, store, country="JP")
    assert "JPY" in caught.value.fields["currency"]
    db.session.rollback()
    assert store.country == "US"


def test_update_reports_only_real_changes(session):
    store = make_store()
    assert service.update_store(session, store, name="Loja Exemplo", consent_mode="none") == []
    assert service.update_store(session, store, name="Nova") == ["name"]


def test_settings_expose_no_internal_id(session):
    settings = service.store_settings(make_store())
    assert "id" not in settings
    assert settings["key"] and settings["pixel"]["code"] == "C9Q2MJ3C77U4P674RPG0"


def test_cli_create_prints_key_last_then_show_and_update(runner):
    result = runner.invoke(args=["store", "create", "--name", "Loja", "--domain", "loja.example.com",
                                 "--country", "BR", "--currency", "BRL", "--platform", "vtex-legacy",
                                 "--pixel-code", "C9Q2MJ3C77U4P674RPG0"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    shown = json.loads(runner.invoke(args=["store", "show", key]).output)
    assert shown["key"] == key and shown["pixel"]["live"] is True
    result = runner.invoke(args=["store", "update", key, "--order-event", "PlaceAnOrder", "--consent-mode", "hold"])
    assert result.exit_code == 0 and "order_event" in result.output
    listed = runner.invoke(args=["store", "list"]).output
    assert key in listed and "pixel on" in listed


def test_cli_refuses_bad_input_and_names_every_problem(runner):
    result = runner.invoke(args=["store", "create", "--name", "X", "--domain", "bad domain",
                                 "--country", "BR", "--currency", "USD", "--platform", "generic"])
    assert result.exit_code != 0
    assert "domains:" in result.output and "currency: TikTok accepts BRL" in result.output


def test_cli_show_unknown_store(runner):
    result = runner.invoke(args=["store", "show", "doesnotexist123"])
    assert result.exit_code != 0 and "no store with key" in result.output


def test_cli_changes_are_in_the_audit_log(runner, session):
    from server.models.audit import AuditEntry

    created = runner.invoke(args=["store", "create", "--name", "Loja", "--domain", "loja.example.com",
                                  "--country", "BR", "--currency", "BRL", "--platform", "generic"])
    key = created.output.strip().splitlines()[-1]
    runner.invoke(args=["store", "update", key, "--order-event", "PlaceAnOrder"])
    entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [entry.action for entry in entries] == ["store.created", "store.updated"]
    assert all("operator" in entry.actor for entry in entries)


def test_store_keys_never_start_with_a_dash():
    from server.security import new_public_key

    assert all(not new_public_key().startswith("-") for _ in range(2000))
