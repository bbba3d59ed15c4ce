"""Generic and headless event snippets, run in Node with the head snippet and the loader."""
import pytest

import snippets
from tests.snippets.jsharness import DELIVER, filled, head_step, run_page, run_pages, store_config, tracks

PRODUCT = {"PRODUCT_SKU": "SKU-9", "PRODUCT_NAME": "Caneca \"Azul\" </script>", "PRODUCT_PRICE": 24.5,
           "CURRENCY_CODE": "BRL", "QUANTITY": 2, "VALUE": 49, "ORDER_ID": "1001-01", "ORDER_TOTAL": 61.5,
           "CART_TOTAL": 49, "SEARCH_TERMS": "caneca azul"}
ALL_EVENTS = store_config(events=list(snippets.EVENTS))


def as_page_step(platform, snippet):
    return {"html": snippet} if platform == "generic" else {"js": snippet}


@pytest.mark.parametrize("platform", ["generic", "headless"])
@pytest.mark.parametrize("before_head", [False, True])
def test_filled_in_snippets_send_their_events(platform, before_head):
    events = [as_page_step(platform, filled(snippets.render_event(event, platform), **PRODUCT))
              for event in snippets.platform_events(platform)]
    head = [head_step()]
    page = run_page(events + head + [DELIVER] if before_head else head + [DELIVER] + events, ALL_EVENTS)

    view, cart, order, checkout, payment, search, registration, wishlist = tracks(page)
    item = {"content_id": "SKU-9", "content_name": "Caneca \"Azul\" </script>", "price": 24.5}
    assert view[:2] == ("ViewContent", {"contents": [{**item, "quantity": 1}], "content_type": "product",
                                        "currency": "BRL", "value": 49})
    assert cart[:2] == ("AddToCart", {"contents": [{**item, "quantity": 2}], "content_type": "product",
                                      "currency": "BRL", "value": 49})
    assert order[:2] == ("PlaceAnOrder", {"order_id": "1001-01", "value": 61.5, "currency": "BRL",
                                          "content_type": "product", "contents": [{**item, "quantity": 2}]})
    cart_lines = {"value": 49, "currency": "BRL", "content_type": "product", "contents": [{**item, "quantity": 2}]}
    assert checkout[:2] == ("InitiateCheckout", cart_lines)
    assert payment[:2] == ("AddPaymentInfo", cart_lines)
    assert search[:2] == ("Search", {"search_string": "caneca azul", "currency": "BRL"})
    assert registration[:2] == ("CompleteRegistration", {"currency": "BRL"})
    assert wishlist[:2] == ("AddToWishlist", {"contents": [{**item, "quantity": 2}], "content_type": "product",
                                              "currency": "BRL", "value": 49})


def test_the_generic_order_snippet_fires_as_purchase_for_a_purchase_store():
    config = store_config(order_event="Purchase", events=["Purchase"])
    order = filled(snippets.render_event("PlaceAnOrder", "generic"), **PRODUCT)

    page = run_page([head_step(), DELIVER, {"html": order}], config)

    assert [name for name, _, _ in tracks(page)] == ["Purchase"]


@pytest.mark.parametrize("platform", ["generic", "headless"])
def test_a_snippet_pasted_without_filling_it_in_sends_nothing_and_says_why(platform):
    steps = [head_step(), DELIVER] + [as_page_step(platform, snippets.render_event(event, platform))
                                      for event in snippets.platform_events(platform)]

    page = run_pages(steps, ALL_EVENTS)[-1]

    # Only the snippet without placeholders (sign-up) is sent; each other one warns once.
    assert [name for name, _, _ in tracks(page)] == ["CompleteRegistration"]
    assert page["errors"] == []
    assert len(page["console"]) == len(snippets.platform_events(platform)) - 1
    assert all(line.startswith("warn: TikTok pixel: replace ") and line.endswith("nothing was sent")
               for line in page["console"])


def test_one_placeholder_left_is_enough_to_hold_the_event():
    values = {**PRODUCT}
    del values["CURRENCY_CODE"]
    page = run_pages([head_step(), DELIVER,
                      {"html": filled(snippets.render_event("ViewContent", "generic"), **values)}])[-1]

    assert tracks(page) == []
    assert page["console"] == ["warn: TikTok pixel: replace CURRENCY_CODE in the ViewContent snippet; nothing was sent"]
