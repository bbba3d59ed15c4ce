"""The Pixel page's form: its input as the plain values the store services take, and its choices."""
from server.models.store import CONSENT_MODES, ORDER_EVENT_NAMES, PIXEL_EVENTS

EVENT_HELP = {
    "ViewContent": "A shopper looks at a product page.",
    "AddToCart": "A shopper adds a product to the cart.",
    "PlaceAnOrder": "A shopper completes an order (the order confirmation page).",
    "InitiateCheckout": "A shopper starts the checkout.",
    "AddPaymentInfo": "A shopper reaches the payment step of the checkout.",
    "Search": "A shopper searches the store (with the words searched).",
    "CompleteRegistration": "A shopper creates an account (where the platform reports it).",
    "AddToWishlist": "A shopper adds a product to a wishlist (where the platform reports it).",
    "ClickButton": "A shopper clicks a product in a list (VTEX IO; TikTok sunsets this event in 2027).",
}


def pixel_settings(form):
    """The pixel settings from the Pixel page's form (an unticked box is simply absent)."""
    return {
        "pixel_code": form.get("pixel_code", ""),
        "pixel_enabled": "pixel_enabled" in form,
        "events": [name for name in form.getlist("events") if name in PIXEL_EVENTS],
        "order_event": form.get("order_event", ""),
        "consent_mode": form.get("consent_mode", ""),
        "advanced_matching": "advanced_matching" in form,
    }


def choices():
    """What the pixel settings offer to choose from."""
    return {
        "events_help": [(name, EVENT_HELP[name]) for name in PIXEL_EVENTS],
        "order_events": ORDER_EVENT_NAMES,
        "consent_modes": CONSENT_MODES,
    }
