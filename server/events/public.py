"""What the pixel configuration says about server events (added to ``public_config``).

Kept to two keys, present only while the store relays server events, so a store without them
serves exactly the configuration it served before: ``server_events`` (true) and ``collector``,
the URL the loader beacons each event to.
"""
from flask import current_app


def server_event_fields(store):
    """``{"server_events": True, "collector": URL}`` while the store relays events, else ``{}``."""
    settings = getattr(store, "event_settings", None)
    if not (settings is not None and settings.server_events and store.pixel_live
            and store.tiktok_state == "connected"):
        return {}
    return {"server_events": True,
            "collector": f"{current_app.config['TTC_PUBLIC_URL']}/pixel/{store.public_key}/events"}
