"""Generic and headless event snippets, run in Node with the head snippet and the loader."""
import pytest

import snippets
from tests.snippets.jsharness import DELIVER, filled, head_step, run_page, store_config, tracks

PRODUCT = {"PRODUCT_SKU": "SKU-9", "PRODUCT_NAME": "Caneca \"Azul\" </script>", "PRODUCT_PRICE": 24.5,
           "CURRENCY_CODE": "BRL", "QUANTITY": 2, "VALUE": 49, "ORDER_ID": "1001-01", "ORDER_TOTAL": 61.5}


def as_page_step(platform, snippet):
    return {"html": snippet} if platform == "generic" else {"js": snippet}


@pytest.mark.parametrize("platform", ["generic", "headless"])
@pytest.mark.parametrize("before_head", [False, True])
def test_filled_in_snippets_send_their_events(platform, before_head):
    events = [as_page_step(platform, filled(snippets.render_event(event, platform), **PRODUCT))
              for event in snippets.EVENTS]
    head = [head_step()]
    page = run_page(events + head + [DELIVER] if before_head else head + [DELIVER] + events)

    view, cart, order = tracks(page)
    item = {"content_id": "SKU-9", "content_name": "Caneca \"Azul\" </script>", "price": 24.5}
    assert view[:2] == ("ViewContent", {"contents": [{**item, "quantity": 1}], "content_type": "product",
                                        "currency": "BRL", "value": 49})
    assert cart[:2] == ("AddToCart", {"contents": [{**item, "quantity": 2}], "content_type": "product",
                                      "currency": "BRL", "value": 49})
    assert order[:2] == ("PlaceAnOrder", {"order_id": "1001-01", "value": 61.5, "currency": "BRL",
                                          "content_type": "product", "contents": [{**item, "quantity": 2}]})


def test_the_generic_order_snippet_fires_as_purchase_for_a_purchase_store():
    config = store_config(order_event="Purchase", events=["Purchase"])
    order = filled(snippets.render_event("PlaceAnOrder", "generic"), **PRODUCT)

    page = run_page([head_step(), DELIVER, {"html": order}], config)

    assert [name for name, _, _ in tracks(page)] == ["Purchase"]


@pytest.mark.parametrize("platform", ["generic", "headless"])
def test_a_snippet_pasted_without_filling_it_in_breaks_nothing(platform):
    steps = [head_step(), DELIVER] + [as_page_step(platform, snippets.render_event(event, platform))
                                          for event in snippets.EVENTS]

    page = run_page(steps)

    view = tracks(page)[0][1]
    assert view["contents"] == [{"content_id": "PRODUCT_SKU", "content_name": "PRODUCT_NAME", "quantity": 1}]
    assert "value" not in view
