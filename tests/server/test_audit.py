"""The audit log: who changed what, when; shown on the store's pages; the operator appears as such."""
from server import audit
from server.audit import entries_for_store
from server.auth.access import Caller
from server.stores.service import update_store_as
from tests.accounts import add_to_store, bearer, cheap_hashing, make_api_key, make_user, sign_in  # noqa: F401
from tests.factories import make_store


def _actions(session, store):
    return [(entry.actor, entry.action) for entry in reversed(entries_for_store(session, store))]


def test_record_names_the_actor_whatever_it_is(session):
    store, user = make_store(), make_user()
    audit.record(session, store, user, "test.user", {})
    audit.record(session, store, Caller.operator(), "test.operator", {})
    audit.record(session, store, None, "test.none", {})
    audit.record(session, store, "importer", "test.label", {"n": 1})
    session.commit()
    assert _actions(session, store) == [("ana@example.com", "test.user"), ("operator (CLI)", "test.operator"),
                                        ("operator (CLI)", "test.none"), ("importer", "test.label")]
    assert entries_for_store(session, store)[0].details == {"n": 1}


def test_a_store_change_keeps_field_names_and_old_and_new_values_but_not_personal_data(session):
    store, user = make_store(), make_user()
    update_store_as(session, Caller.for_user(user), store, name="Nova", phone="+44 20 7946 0958",
                    events=["ViewContent"], consent_mode="none")
    entry = entries_for_store(session, store)[0]
    assert entry.action == "store.updated" and entry.actor == "ana@example.com"
    assert sorted(entry.details["fields"]) == ["events", "name", "phone"]
    assert entry.details["changes"]["name"] == {"from": "Loja Exemplo", "to": "Nova"}
    assert entry.details["changes"]["events"] == {"from": ["ViewContent", "AddToCart", "PlaceAnOrder",
                                                           "InitiateCheckout", "AddPaymentInfo", "Search"],
                                                  "to": ["ViewContent"]}
    assert entry.details["changes"]["phone"] == {"from": "(hidden)", "to": "(hidden)"}
    assert "7946" not in str(entry.details)


def test_nothing_changed_records_nothing(session):
    store = make_store()
    update_store_as(session, Caller.operator(), store, name="Loja Exemplo")
    assert entries_for_store(session, store) == []


def test_merchant_actions_through_pages_api_and_cli_are_all_recorded(client, runner, session):
    store = make_store()
    add_to_store(store, make_user())
    make_user("bea@example.com")
    key = store.public_key
    assert runner.invoke(args=["apikey", "create", key, "--name", "ci"]).exit_code == 0
    assert runner.invoke(args=["store", "add-member", key, "bea@example.com"]).exit_code == 0
    api_key = runner.invoke(args=["apikey", "create", key]).output.strip().splitlines()[-1]
    client.patch(f"/api/v1/stores/{key}", json={"pixel": {"order_event": "PlaceAnOrder"}}, headers=bearer(api_key))
    session.expire_all()
    assert _actions(session, store) == [
        ("operator (CLI)", "api_key.created"), ("operator (CLI)", "member.added"),
        ("operator (CLI)", "api_key.created"), (f"API key {api_key[:12]}… (API key)", "store.updated")]


def test_creating_a_store_and_revoking_a_key_in_the_admin_are_recorded_and_shown(client, session):
    make_user()
    sign_in(client)
    response = client.post("/stores/new", data={"csrf_token": _token(client), "name": "Minha Loja",
                                                "domains": "minha.example.com", "platform": "generic",
                                                "country": "BR", "currency": "BRL", "phone": "+55 11 91234 5678"})
    key = response.location.split("/")[2]
    created = client.post(f"/stores/{key}/api-keys", data={"csrf_token": _token(client), "name": "deploy"})
    key_id = created.get_data(as_text=True).split("/api-keys/")[1].split("/revoke")[0]
    client.post(f"/stores/{key}/api-keys/{key_id}/revoke", data={"csrf_token": _token(client)})
    page = client.get(f"/stores/{key}/activity").get_data(as_text=True)
    assert "created the store" in page and "created an API key" in page and "revoked an API key" in page
    assert page.count("ana@example.com") >= 3 and "91234" not in page
    overview = client.get(f"/stores/{key}").get_data(as_text=True)
    assert "Recent activity" in overview and "revoked an API key" in overview


def test_sign_ins_are_recorded_on_the_account(client, session):
    user = make_user()
    sign_in(client)
    (entry,) = audit.entries_for_account(session, user)
    assert entry.action == "user.signed_in" and entry.actor == "ana@example.com" and entry.store_id is None


def test_one_store_never_shows_another_store_s_activity(client, session):
    mine, theirs = make_store(name="Mine"), make_store(name="Theirs")
    add_to_store(mine, make_user())
    update_store_as(session, Caller.operator(), theirs, name="Secret rename")
    sign_in(client)
    assert "Secret rename" not in client.get(f"/stores/{mine.public_key}/activity").get_data(as_text=True)


def _token(client):
    from tests.accounts import csrf_token

    return csrf_token(client, "/stores")
