"""Product sets: made from rules here and at TikTok (the emulator), the same members on both sides,
listed with both counts, changed, deleted, audited, and shown in ``catalog why``."""
import json

import pytest
from bs4 import BeautifulSoup

from server.ads.errors import InvalidChange
from server.ads.product_sets import build_conditions, matches, parse_rule
from server.extensions import db
from server.models.ads import AdProductSet
from server.models.audit import AuditEntry
from tests.accounts import csrf_token, sign_in
from tests.ads.launch_helpers import ads_world, api

SHOES = "Apparel & Accessories > Shoes"


def _run(runner, *args):
    result = runner.invoke(args=list(args))
    return result.exit_code, result.output


def _tiktok_members(emulator, shop, set_id):
    data = api(emulator, shop.test_token, "GET", "catalog/set/product/get/", {
        "bc_id": emulator.bc_id, "catalog_id": shop.catalog_id, "product_set_id": set_id, "page_size": 100})
    return sorted(p["sku_id"] for p in data["products"])


def test_a_set_made_from_a_category_has_the_same_members_here_and_at_tiktok(runner, shop, tiktok_emulator):
    code, output = _run(runner, "ads", "sets", "create", "Shoes", "--where", "product_type", "I_CONTAIN", SHOES,
                        "--store", shop.public_key)

    assert code == 0, output
    set_id = output.strip().splitlines()[-1]
    assert "2 product(s) here, 2 at TikTok" in output
    assert _tiktok_members(tiktok_emulator, shop, set_id) == ["SHOE-1", "SHOE-2"]
    stored = ads_world(tiktok_emulator)["product_sets"][set_id]
    assert stored["conditions"] == {"and": [{"field": "product_type", "operation": "I_CONTAIN", "value": [SHOES]}]}
    code, output = _run(runner, "ads", "sets", "list", "--store", shop.public_key, "--json")
    listed = json.loads(output)["sets"]
    assert [(s["name"], s["product_set_id"], s["count"], s["tiktok_count"], s["at_tiktok"]) for s in listed] == \
        [("Shoes", set_id, 2, 2, True)]
    entry = db.session.query(AuditEntry).filter_by(action="ads.set_created").one()
    assert entry.actor == "operator (CLI)" and entry.details["product_set_id"] == set_id


def test_why_shows_which_sets_a_product_is_in(runner, shop):
    assert _run(runner, "ads", "sets", "create", "Shoes", "--where", "product_type", "I_CONTAIN", SHOES,
                "--store", shop.public_key)[0] == 0
    assert _run(runner, "ads", "sets", "create", "Acme under 50", "--where", "brand", "=", "acme",
                "--where", "price", "<", "50", "--store", shop.public_key)[0] == 0

    assert _run(runner, "catalog", "why", "SHOE-1", "--store", shop.public_key)[1].splitlines()[-1] == \
        "Product sets: Shoes"
    assert _run(runner, "catalog", "why", "BAG-1", "--store", shop.public_key)[1].splitlines()[-1] == \
        "Product sets: Acme under 50"
    answer = json.loads(_run(runner, "catalog", "why", "HAT-1", "--store", shop.public_key, "--json")[1])
    assert answer["product_sets"] == []


def test_updating_a_set_changes_its_members_at_tiktok(runner, shop, tiktok_emulator):
    set_id = _run(runner, "ads", "sets", "create", "Shoes", "--where", "product_type", "I_CONTAIN", SHOES,
                  "--store", shop.public_key)[1].strip().splitlines()[-1]

    code, output = _run(runner, "ads", "sets", "update", set_id, "--name", "Cheap", "--where", "price", "<", "40",
                        "--store", shop.public_key)

    assert code == 0 and output.strip() == "“Cheap” (price < 40): 2 product(s) here, 2 at TikTok."
    assert _tiktok_members(tiktok_emulator, shop, set_id) == ["BAG-1", "HAT-1"]
    entry = db.session.query(AuditEntry).filter_by(action="ads.set_changed").one()
    assert entry.details["to"] == "price < 40"


def test_deleting_a_set_removes_it_at_tiktok_too(runner, shop, tiktok_emulator):
    set_id = _run(runner, "ads", "sets", "create", "Shoes", "--where", "product_type", "I_CONTAIN", SHOES,
                  "--store", shop.public_key)[1].strip().splitlines()[-1]

    code, output = _run(runner, "ads", "sets", "delete", set_id, "--store", shop.public_key)

    assert code == 0 and "Deleted “Shoes”" in output
    assert ads_world(tiktok_emulator)["product_sets"] == {}
    assert db.session.query(AdProductSet).count() == 0
    assert db.session.query(AuditEntry).filter_by(action="ads.set_deleted").count() == 1


@pytest.mark.parametrize("rule, problem", [
    (("sku_id", "I_CONTAIN", "X"), "cannot be grouped by 'sku_id'"),
    (("availability", "GT", "IN_STOCK"), "availability can be compared with EQUAL, NOT_EQUAL"),
    (("price", ">=", "cheap"), "price is compared with a number"),
    (("availability", "=", "sold"), "availability is one of IN_STOCK"),
])
def test_a_wrong_rule_is_refused_before_tiktok_is_asked(runner, shop, tiktok_emulator, rule, problem):
    tiktok_emulator.clear_requests()
    code, output = _run(runner, "ads", "sets", "create", "Bad", "--where", *rule, "--store", shop.public_key)
    assert code != 0 and problem in output
    assert tiktok_emulator.requests("catalog/set/create/") == []


def test_a_name_tiktok_would_refuse_is_refused_here(runner, shop, tiktok_emulator):
    code, output = _run(runner, "ads", "sets", "create", "x" * 28, "--where", "brand", "=", "Acme",
                        "--store", shop.public_key)
    assert code != 0 and "1 to 27 characters" in output
    assert tiktok_emulator.requests("catalog/set/create/") == []


def test_rules_read_as_tiktok_documents_them(app):
    data = {"product_type": "Apparel > Shoes", "brand": "ACME", "price": "19.90", "availability": "IN_STOCK"}
    with app.app_context():
        def check(*rules, match_any=False):
            return matches(data, build_conditions([parse_rule(*r) for r in rules], match_any=match_any))
        assert check(("brand", "I_CONTAIN", "acme|beta"))
        assert not check(("brand", "CONTAIN", "acme"))  # case-sensitive
        assert check(("product_type", "I_PREFIX", "apparel"), ("price", "LT", "20"))
        assert not check(("price", "GTE", "20"), ("brand", "I_EXCLUDE", "acme"))
        assert check(("price", "GTE", "20"), ("brand", "I_WILDCARD", "cm"), match_any=True)
        with pytest.raises(InvalidChange):
            build_conditions([])


def test_the_sets_page_creates_edits_and_deletes_for_owners(client, shop, tiktok_emulator):
    sign_in(client, "ana@example.com")
    token = csrf_token(client, "/account")
    url = f"/stores/{shop.public_key}/catalog/sets"
    created = client.post(url, data={"csrf_token": token, "name": "Shoes", "match": "all", "field_0": "product_type",
                                     "operation_0": "I_CONTAIN", "value_0": SHOES})
    assert created.status_code == 303
    row = db.session.query(AdProductSet).one()
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    cells = [c.get_text(" ", strip=True) for c in page.select(f"tr[data-set='{row.tiktok_set_id}'] td")]
    assert cells[:3] == ["product type is one of (any case) " + SHOES, "2", "2"]

    edited = client.post(url, data={"csrf_token": token, "set_id": row.tiktok_set_id, "name": "Acme", "match": "all",
                                    "field_0": "brand", "operation_0": "I_CONTAIN", "value_0": "Acme"})
    assert edited.status_code == 303
    assert _tiktok_members(tiktok_emulator, shop, row.tiktok_set_id) == ["BAG-1", "SHOE-1"]
    assert ads_world(tiktok_emulator)["product_sets"][row.tiktok_set_id]["product_set_name"] == "Acme"

    asked = client.post(url + "/delete", data={"csrf_token": token, "set_id": row.tiktok_set_id})
    assert asked.status_code == 200 and "Delete “Acme”?" in asked.get_data(as_text=True)
    assert ads_world(tiktok_emulator)["product_sets"] != {}
    deleted = client.post(url + "/delete", data={"csrf_token": token, "set_id": row.tiktok_set_id, "confirm": "yes"})
    assert deleted.status_code == 303 and ads_world(tiktok_emulator)["product_sets"] == {}


def test_members_cannot_change_sets(client, shop, tiktok_emulator):
    sign_in(client, "bea@example.com")
    token = csrf_token(client, "/account")
    response = client.post(f"/stores/{shop.public_key}/catalog/sets", data={
        "csrf_token": token, "name": "Shoes", "field_0": "brand", "operation_0": "I_CONTAIN", "value_0": "Acme"})
    assert response.status_code == 403
    assert tiktok_emulator.requests("catalog/set/create/") == []
