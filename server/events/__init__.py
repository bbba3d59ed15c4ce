"""Server events: the browser's pixel events relayed from the server with the same event_id, so
TikTok deduplicates them and counts the ones ad blockers stopped; orders from the store's backend;
consent honoured on both paths; and an event log for checking it all.

    browser loader --beacon--> collector (edge.py, collector.py) --spool--> event_batches (as sent)
    event_batches --relay job: read, filed (intake.file_batches)--> server_events <-- orders API (api.py)
    server_events --relay job (relay.py), <= 1,000 per request--> TikTok event/track/

Decisions:
- event_id: made in the browser (a UUID) and beaconed with the event; an order's is
  ``order:<order_id>`` on both paths, so the backend's report and the page's are one event.
- Consent: in consent mode "hold" the loader neither loads TikTok's pixel nor beacons before
  ``ttc("consent", "grant")``, and stops both at "revoke"; beacons carry the consent state and
  unconsented ones are dropped; the relay drops again whatever lacks consent when it sends (the
  store may have switched to hold meanwhile). The backend says ``"consent": "granted"`` for orders.
- limited_data_use: a store setting (every server event), or a page's ``ttc("consent", "limited")``
  (that page's later events). Only the server path carries it: the pixel has no documented switch.
- Bots (crawlers, scripts, HeadlessChrome unless TTC_EVENTS_ALLOW_HEADLESS) get a 204 and are not kept.
"""
from dataclasses import dataclass

from server import jobs, pixel
from server.auth.csrf import csrf
from server.events import api, edge, kicks, log, pages, relay, webhooks
from server.events.cache import CollectorCache
from server.events.cli import events_group
from server.events.collector import Collector
from server.events.intake import store_browser_events
from server.events.public import server_event_fields
from server.events.ratelimit import limiter_for
from server.events.spool import Spool
from server.extensions import db


@dataclass
class EventsState:
    """What the collector keeps per application: the store cache, the checks and the spool."""

    cache: object
    collector: object
    spool: object


def init_app(app):
    """The collector (fast path and views), the relay job, upkeep tasks, the orders API, the Ecwid
    webhooks, the Events page and the ``events`` commands."""
    config = app.config
    spool = Spool(_writer(app), interval=config["TTC_EVENTS_SPOOL_MS"] / 1000.0)
    collector = Collector(max_body=config["TTC_EVENTS_MAX_BODY"], limiter=limiter_for(config), spool=spool,
                          trusted_proxies=trusted_proxies(config),
                          allow_headless=config["TTC_EVENTS_ALLOW_HEADLESS"])
    cache = CollectorCache(app.extensions["ttc_pixel"].board,
                           revalidate_seconds=config["TTC_PIXEL_REVALIDATE_SECONDS"])
    state = app.extensions["ttc_events"] = EventsState(cache, collector, spool)
    csrf.exempt(edge.bp)  # shoppers' browsers, not a signed-in merchant; the origin check applies
    app.register_blueprint(edge.bp)
    app.wsgi_app = edge.CollectorEdge(app.wsgi_app, state)
    jobs.register(app, kicks.RELAY_JOB, relay.run_relay_job)
    jobs.periodic(app, "events.prune", 3600, log.prune)
    jobs.periodic(app, "events.sweep", 300, log.sweep)
    pixel.add_public_fields(app, server_event_fields)
    api.init_app(app)
    webhooks.init_app(app)
    pages.init_app(app)
    app.cli.add_command(events_group)


def trusted_proxies(config):
    """How many proxies' X-Forwarded-For the collector reads (its own setting, else the server's)."""
    own = config["TTC_EVENTS_TRUSTED_PROXIES"]
    return own if own >= 0 else config["TTC_TRUSTED_PROXIES"]


def _writer(app):
    def write(received):
        """Read the spooled beacons and append what passes to the stores' buffers (the spool's writer)."""
        rows = app.extensions["ttc_events"].collector.prepare(received)
        if not rows:
            return
        with app.app_context():
            # The fast path never runs Flask's before_request, where the embedded job runner starts.
            app.extensions["ttc_jobs"].ensure_runner()
            try:
                store_browser_events(db.session, rows)
            finally:
                db.session.remove()

    return write
