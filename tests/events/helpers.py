"""Helpers for the server-events tests: a connected store, beacons, running the relay."""
import json

from server.events import intake
from server.events import settings as event_settings
from server.extensions import db
from server.jobs import queue
from server.jobs.runner import run_due
from server.models.events import ServerEvent
from server.models.tiktok import TikTokConnection
from server.security import encrypt_secret

ORIGIN = "https://loja.example.com"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/124.0.0.0 Safari/537.36")


def connect_for_events(store, emulator, *, server_events=True, **settings):
    """Mark ``store`` connected to the emulator's pixel with a fresh token; server events on (commits)."""
    token = emulator.seed_token()["access_token"]
    db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token),
                                    advertiser_id=emulator.advertiser_ids[0], bc_id=emulator.bc_id,
                                    pixel_code=emulator.pixel_code))
    store.pixel_code = emulator.pixel_code
    store.tiktok_state = "connected"
    db.session.commit()
    event_settings.update_settings(db.session, store, None, server_events=server_events, **settings)
    store.test_token = token
    return store


def beacon(event="AddToCart", event_id="8f6c1e9e-1d2b-4c55-9a4e-0d6f4b7b2c11", **extra):
    """A beacon body as the loader sends it."""
    body = {"event": event, "event_id": event_id, "url": "https://loja.example.com/p/caneca",
            "referrer": "https://www.tiktok.com/", "ttclid": "E.C.P.click", "ttp": "ttp-cookie",
            "consent": "none", "limited": 0,
            "properties": {"contents": [{"content_id": "SKU-1", "price": 24.5, "quantity": 2}],
                           "content_type": "product", "value": 49, "currency": "BRL"}}
    body.update(extra)
    return body


def post_beacon(client, store, body=None, *, origin=ORIGIN, user_agent=CHROME, ip="203.0.113.7", raw=None,
                **headers):
    """POST a beacon the way sendBeacon does (text/plain, Origin, the shopper's user agent)."""
    data = raw if raw is not None else json.dumps(body if body is not None else beacon())
    if origin:
        headers["Origin"] = origin
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    return client.post(f"/pixel/{store.public_key}/events", data=data, content_type="text/plain;charset=UTF-8",
                       headers=headers, environ_base={"REMOTE_ADDR": ip})


def relay(app):
    """Run the due relay jobs in the foreground (inside the test's app context); returns how many ran."""
    ran = run_due(app, queue.new_owner())
    db.session.expire_all()
    return ran


def rows(store):
    """The store's events as the event log has them, oldest first (buffered ones filed first, as the
    relay job's first step does)."""
    intake.file_batches(db.session, store.id)
    db.session.expire_all()
    return db.session.execute(db.select(ServerEvent).where(ServerEvent.store_id == store.id)
                              .order_by(ServerEvent.id)).scalars().all()
