"""Server events: each store's settings for them, the collector's buffer, and the events (QA log).

The collector appends what it accepted to ``EventBatch`` (one row per store per write, cheap on the
hot path); the store's relay job files the batches as ``ServerEvent`` rows, one per (store, event
name, event_id): the browser's beacon and the store's backend (an order reported through the API)
land on the same row, which is how the two paths of one order are deduplicated before TikTok even
sees them. A row waits as ``pending`` until the relay sends it, then keeps TikTok's answer for the
event log; personal data is cleared once it is settled.
"""
from server.clock import utcnow
from server.extensions import db
from server.models.store import Store

EVENT_STATES = ("pending", "sent", "failed", "dropped")
# Large tables get 64-bit ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is 64-bit already.
BigId = db.BigInteger().with_variant(db.Integer(), "sqlite")


class EventSettings(db.Model):
    """A store's server-events switches. No row means the defaults: off, no test mode."""

    __tablename__ = "event_settings"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    server_events = db.Column(db.Boolean, nullable=False, default=False)
    test_mode = db.Column(db.Boolean, nullable=False, default=False)  # every event goes with test_event_code
    test_event_code = db.Column(db.String(64))  # from TikTok Events Manager > pixel > Test events
    limited_data_use = db.Column(db.Boolean, nullable=False, default=False)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    # The pixel configuration reads these through the store (store.event_settings).
    store = db.relationship(Store, backref=db.backref("event_settings", uselist=False, passive_deletes=True))


class EventBatch(db.Model):
    """Browser events the collector accepted, waiting for the store's relay job to file them."""

    __tablename__ = "event_batches"

    id = db.Column(BigId, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    # One dict per beacon: its text with ip, user_agent, event_time and hold (read by the relay),
    # or, when it carried personal data, the ServerEvent column values read (and hashed) on arrival.
    events = db.Column(db.JSON, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (db.Index("ix_event_batches_store_id", "store_id", "id"),)


class ServerEvent(db.Model):
    """One event for TikTok's Events API: waiting to be relayed, or what TikTok answered."""

    __tablename__ = "server_events"

    id = db.Column(BigId, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    event = db.Column(db.String(40), nullable=False)
    event_id = db.Column(db.String(100), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="pending")
    from_browser = db.Column(db.Boolean, nullable=False, default=False)
    from_server = db.Column(db.Boolean, nullable=False, default=False)  # the store's backend, or a test event
    test = db.Column(db.Boolean, nullable=False, default=False)  # a test event: always sent with test_event_code
    consented = db.Column(db.Boolean, nullable=False, default=False)  # the page (or backend) said consent granted
    limited_data_use = db.Column(db.Boolean, nullable=False, default=False)
    event_time = db.Column(db.Integer, nullable=False)  # unix seconds
    # From the browser: page url and referrer, ttclid, ttp, ip, user_agent, and hashed match keys.
    context = db.Column(db.JSON(none_as_null=True))
    # From the backend: hashed email / phone / external_id, ip, user_agent, page url.
    user = db.Column(db.JSON(none_as_null=True))
    properties = db.Column(db.JSON(none_as_null=True))
    attempts = db.Column(db.Integer, nullable=False, default=0)  # TikTok requests this event was part of
    tiktok_code = db.Column(db.Integer)
    tiktok_request_id = db.Column(db.String(64))
    message = db.Column(db.String(500))  # TikTok's message for a failed event, or why it was dropped
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    sent_at = db.Column(db.DateTime(timezone=True))

    __table_args__ = (
        db.UniqueConstraint("store_id", "event", "event_id", name="uq_server_events_store_event_event_id"),
        db.Index("ix_server_events_store_status", "store_id", "status", "id"),
        db.Index("ix_server_events_store_id", "store_id", "id"),  # the event log, newest first
        db.Index("ix_server_events_store_updated", "store_id", "updated_at"),  # tail, and pruning
    )

    @property
    def seen(self):
        """Where the event came from: browser, server or both."""
        if self.from_browser and self.from_server:
            return "both"
        return "browser" if self.from_browser else "server"

    def __repr__(self):
        return f"<ServerEvent {self.id} {self.event} {self.event_id} {self.status}>"


class EventTally(db.Model):
    """The store's account of browser beacons: how many were accepted, and how many ended each way
    (relayed, deduplicated, failed, dropped for a reason, held for consent); see events/account.py."""

    __tablename__ = "event_tallies"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    outcome = db.Column(db.String(20), nullable=False)
    reason = db.Column(db.String(200), nullable=False, default="")
    count = db.Column(db.BigInteger, nullable=False, default=0)
    since = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("store_id", "outcome", "reason",
                                          name="uq_event_tallies_store_outcome_reason"),)
