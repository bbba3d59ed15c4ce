"""VTEX legacy event snippets, run in Node against what VTEX pages expose."""
import json

import pytest

import snippets
from tests.snippets.jsharness import DELIVER, head_step, run_page, run_pages, store_config, tracks

VIEW = {"html": snippets.render_event("ViewContent", "vtex-legacy")}
CART = {"html": snippets.render_event("AddToCart", "vtex-legacy")}
ORDER = {"html": snippets.render_event("PlaceAnOrder", "vtex-legacy")}
READY = {"ready": True}
LOAD = {"load": True}

SKU_JSON = {
    "productId": 2001, "name": "Tênis Corrida", "available": True,
    "skus": [
        {"sku": 31, "skuname": "Tênis Corrida 40", "bestPrice": 0, "available": False},
        {"sku": 32, "skuname": "Tênis Corrida 41", "bestPrice": 25990, "available": True},
        {"sku": 33, "skuname": "Tênis Corrida 42", "bestPrice": 19990, "available": True},
    ],
}
TRANSACTION = {
    "transactionId": "1234567890123-01", "transactionTotal": 539.7, "transactionCurrency": "BRL",
    "transactionProducts": [
        {"id": "2001", "sku": "32", "name": "Tênis Corrida 41", "price": 259.9, "quantity": 2},
        {"id": "2002", "sku": "40", "name": "Meia", "price": 19.9, "quantity": 1},
    ],
}
# A stand-in for VTEX's vtexjs: addToCart posts the items to the orderForm API, as the real one does.
VTEXJS = """window.vtexjs = {checkout: {calls: 0, addToCart: function (items) {
  this.calls++;
  var x = new XMLHttpRequest();
  x.open('POST', '/api/checkout/pub/orderForm/abc123/items?sc=1');
  x.send(JSON.stringify({orderItems: items}));
  return {done: function () {}};
}}};"""


def define(name, value):
    return {"eval": f"window.{name} = {json.dumps(value)}; undefined"}


def live(steps, config=None, **options):
    """The steps on a page whose pixel is loaded."""
    return run_page([head_step(), DELIVER] + steps, config, **options)


def carts(page):
    return [params for name, params, _ in tracks(page) if name == "AddToCart"]


def test_product_page_fires_view_content_from_sku_json():
    page = live([define("skuJson_0", SKU_JSON), VIEW])

    [(name, params, options)] = tracks(page)
    assert name == "ViewContent"
    assert params == {"content_type": "product_group", "currency": "BRL", "value": 199.9,
                      "contents": [{"content_id": "2001", "content_name": "Tênis Corrida", "quantity": 1,
                                    "price": 199.9}]}


def test_sku_json_written_below_the_snippet_is_read_when_the_page_is_ready():
    page = live([VIEW, define("skuJson", SKU_JSON), READY, LOAD, VIEW])

    assert [params["contents"][0]["content_id"] for _, params, _ in tracks(page)] == ["2001"]


def test_view_content_falls_back_to_the_data_layer_product():
    layer = [{"pageCategory": "Product"}, {"productId": "77", "productName": "Boné", "productPriceTo": 59.9}]
    page = live([define("dataLayer", layer), VIEW])

    assert tracks(page)[0][1]["contents"] == [{"content_id": "77", "content_name": "Boné", "price": 59.9,
                                               "quantity": 1}]


def test_a_page_without_product_data_fires_nothing():
    page = live([VIEW, READY, LOAD])

    assert tracks(page) == []


def test_buy_button_click_fires_add_to_cart_with_the_skus_name_and_price():
    page = live([define("skuJson", SKU_JSON), CART,
                 {"click": {"class": "buy-button buy-button-ref", "child": True,
                            "href": "/checkout/cart/add?sku=32&qty=2&seller=1&redirect=true&sc=1"}}])

    assert carts(page) == [{"content_type": "product", "currency": "BRL", "value": 519.8,
                            "contents": [{"content_id": "32", "content_name": "Tênis Corrida 41", "price": 259.9,
                                          "quantity": 2}]}]


def test_clicks_that_add_nothing_fire_nothing():
    page = live([define("skuJson", SKU_JSON), CART,
                 {"click": {"class": "buy-button",
                            "href": "javascript:alert('Por favor, selecione o modelo desejado.');"}},
                 {"click": {"class": "buy-button-like", "href": "/checkout/cart/add?sku=32"}},
                 {"click": {"class": "product-link", "href": "/tenis-corrida/p"}}])

    assert carts(page) == []


def test_vtexjs_add_to_cart_fires_once_even_without_a_buy_button():
    page = live([define("skuJson", SKU_JSON), CART, {"js": VTEXJS}, READY,
                 {"eval": "vtexjs.checkout.addToCart([{id: '33', quantity: 1, seller: '1'}]); vtexjs.checkout.calls"}])

    assert page["results"][-1] == 1  # the store's call still happens
    assert carts(page) == [{"content_type": "product", "currency": "BRL", "value": 199.9,
                            "contents": [{"content_id": "33", "content_name": "Tênis Corrida 42", "price": 199.9,
                                          "quantity": 1}]}]
    assert [r["url"] for r in page["requests"]] == ["/api/checkout/pub/orderForm/abc123/items?sc=1"]


def test_a_click_and_the_ajax_call_it_makes_fire_one_add_to_cart():
    href = "/checkout/cart/add?sku=32&qty=1&seller=1"
    page = live([CART, {"click": {"class": "buy-button", "href": href}},
                 {"eval": f"var x = new XMLHttpRequest(); x.open('GET', {json.dumps(href)}); x.send(null)"}])

    assert len(carts(page)) == 1


def test_the_same_sku_added_again_later_counts_again():
    href = "/checkout/cart/add?sku=32&qty=1&seller=1"
    page = live([CART, {"click": {"class": "buy-button", "href": href}}, {"advance": 3000},
                 {"click": {"class": "buy-button", "href": href}}])

    assert len(carts(page)) == 2


def test_cart_api_calls_made_with_fetch_fire_add_to_cart():
    body = json.dumps({"orderItems": [{"id": "40", "quantity": 3, "seller": "1"}]})
    page = live([CART,
                 {"eval": f"fetch('https://loja.example/api/checkout/pub/orderForm/f00/items', "
                          f"{{method: 'POST', body: {json.dumps(body)}}}); undefined"},
                 {"eval": f"fetch('/api/checkout/pub/orderForm/f00/items/update', "
                          f"{{method: 'POST', body: {json.dumps(body)}}}); undefined"}])

    assert carts(page) == [{"content_type": "product", "currency": "BRL",
                            "contents": [{"content_id": "40", "quantity": 3}]}]
    assert len(page["requests"]) == 2


def test_the_cart_snippet_pasted_twice_binds_once():
    page = live([CART, CART, {"js": VTEXJS}, LOAD,
                 {"click": {"class": "buy-button", "href": "/checkout/cart/add?sku=1&qty=1&seller=1"}},
                 {"advance": 5000},
                 {"eval": "vtexjs.checkout.addToCart([{id: '2', quantity: 1, seller: '1'}])"}])

    assert [params["contents"][0]["content_id"] for params in carts(page)] == ["1", "2"]


def test_cart_snippet_before_the_head_snippet_still_counts():
    page = run_page([CART, {"click": {"class": "buy-button", "href": "/checkout/cart/add?sku=5&qty=1"}},
                     head_step(), DELIVER])

    assert [params["contents"][0]["content_id"] for params in carts(page)] == ["5"]


@pytest.mark.parametrize("order_event", snippets.ORDER_EVENT_NAMES)
def test_order_placed_page_fires_the_order_event_from_the_data_layer(order_event):
    page = live([define("dataLayer", [{"event": "orderPlaced"}, TRANSACTION]), ORDER],
                store_config(order_event=order_event, events=[order_event]))

    [(name, params, _)] = tracks(page)
    assert name == order_event
    assert params == {"order_id": "1234567890123-01", "value": 539.7, "currency": "BRL", "content_type": "product",
                      "contents": [{"content_id": "32", "content_name": "Tênis Corrida 41", "price": 259.9,
                                    "quantity": 2},
                                   {"content_id": "40", "content_name": "Meia", "price": 19.9, "quantity": 1}]}


def test_a_transaction_pushed_later_and_twice_fires_once():
    push = {"eval": f"dataLayer.push({json.dumps(TRANSACTION)})"}
    page = live([ORDER, push, push, ORDER, LOAD])

    assert [params["order_id"] for _, params, _ in tracks(page)] == ["1234567890123-01"]


def test_reloading_the_order_placed_page_does_not_count_the_order_again():
    steps = [head_step(), DELIVER, define("dataLayer", [TRANSACTION]), ORDER]
    other = dict(TRANSACTION, transactionId="999-01")

    first, reloaded, next_order = run_pages(steps + [{"reload": True}] + steps + [{"reload": True}] +
                                            [head_step(), DELIVER, define("dataLayer", [other]), ORDER])

    assert len(tracks(first)) == 1
    assert tracks(reloaded) == []
    assert [params["order_id"] for _, params, _ in tracks(next_order)] == ["999-01"]


def test_the_order_still_fires_once_when_local_storage_throws():
    push = {"eval": f"dataLayer.push({json.dumps(TRANSACTION)})"}
    page = live([ORDER, push, push], storage="throws")

    assert len(tracks(page)) == 1


def test_the_data_layer_keeps_working_for_other_scripts():
    page = live([ORDER, {"eval": "dataLayer.push({event: 'x'}, {event: 'y'})"}, {"eval": "dataLayer.length"}])

    assert page["results"][-2:] == [2, 2]


CHECKOUT = {"html": snippets.render_event("InitiateCheckout", "vtex-legacy")}
SEARCH = {"html": snippets.render_event("Search", "vtex-legacy")}
ORDER_FORM = {"orderFormId": "of-77", "value": 53970, "storePreferencesData": {"currencyCode": "BRL"},
              "items": [{"id": "32", "name": "Tênis Corrida 41", "sellingPrice": 25990, "quantity": 2},
                        {"id": "40", "name": "Meia", "sellingPrice": 1990, "quantity": 1}]}
ALL = store_config(events=list(snippets.EVENTS))


def hash_step(route):
    return [{"eval": f"location.hash = {json.dumps(route)}; 1"}, {"dispatch": "hashchange"}]


def test_legacy_checkout_steps_fire_initiate_checkout_then_add_payment_info_once_each():
    orderform = {"eval": f"window.vtexjs = {{checkout: {{orderForm: {json.dumps(ORDER_FORM)}}}}}; 1"}
    steps = [head_step(), DELIVER, orderform, CHECKOUT, CHECKOUT, *hash_step("#/cart"), *hash_step("#/email"),
             *hash_step("#/shipping"), *hash_step("#/payment"), *hash_step("#/shipping"), *hash_step("#/payment")]

    pages = run_pages(steps + [{"reload": True}, head_step(), DELIVER, orderform,
                               CHECKOUT, *hash_step("#/payment")], ALL)

    first, reloaded = pages
    assert [name for name, _, _ in tracks(first)] == ["InitiateCheckout", "AddPaymentInfo"]
    params = tracks(first)[0][1]
    # The orderForm's money is in cents.
    assert params["value"] == 539.7 and params["currency"] == "BRL"
    assert params["contents"][0] == {"content_id": "32", "content_name": "Tênis Corrida 41",
                                     "price": 259.9, "quantity": 2}
    assert tracks(reloaded) == []  # the same orderForm, reloaded: already counted


def test_legacy_search_page_fires_search_with_the_words_searched():
    page = run_page([head_step(), DELIVER, {"eval": "location.search = '?ft=t%C3%AAnis+corrida'; 1"}, SEARCH, SEARCH,
                     LOAD], ALL)

    assert [(name, params) for name, params, _ in tracks(page)] == [
        ("Search", {"search_string": "tênis corrida", "currency": "BRL"})]


def test_legacy_search_reads_the_datalayer_when_the_url_has_no_words():
    page = run_page([head_step(), DELIVER, {"eval": "window.dataLayer = [{pageCategory: 'InternalSiteSearch', "
                                                    "siteSearchTerm: 'meia'}]; 1"}, SEARCH], ALL)

    assert [params["search_string"] for _, params, _ in tracks(page)] == ["meia"]
