"""What to paste into a store's pages: the head snippet and each event's snippet (the Pixel page and the API)."""
from flask import current_app

import snippets


def event_snippets(store, platform=None):
    """Each event's snippet for the store's platform, with whether it is on and the name it fires as."""
    platform = platform or store.platform
    items = []
    if platform in snippets.PLATFORM_EVENTS:
        return items  # one script (Ecwid) or one app (VTEX IO) fires every event: see platform_setup
    for event in snippets.platform_events(platform):
        order = event == "PlaceAnOrder"
        items.append({
            "event": event,
            "fires_as": store.order_event if order else event,
            "enabled": event in (store.events or []),
            "snippet": snippets.render_event(event, platform, store.currency),
        })
    return items


def head_snippet(store):
    """The head snippet for the store, pointing at this connector's public address."""
    return snippets.render_head(store.public_key, current_app.config["TTC_PUBLIC_URL"])
