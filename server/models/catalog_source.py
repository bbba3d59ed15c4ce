"""Where a store's catalog comes from: a feed URL, a VTEX account or an Ecwid store."""
from server.clock import utcnow
from server.extensions import db

SOURCE_KINDS = ("feed_url", "vtex", "ecwid")
SOURCE_STATES = ("new", "ok", "broken", "disconnected")


class CatalogSource(db.Model):
    """A store's catalog source: settings in clear, credentials encrypted, and how its pulls went.

    ``credentials`` is JSON encrypted with ``server.security.encrypt_secret`` (never logged, never
    a job argument); ``notify_secret`` (encrypted too) is the path secret of the VTEX notification
    URL. ``schedule`` lists the daily full-pull times (UTC, "HH:MM"); ``failures`` counts the pulls
    failed in a row, which sets the backoff before the next attempt.
    """

    __tablename__ = "catalog_sources"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    kind = db.Column(db.String(10), nullable=False)
    settings = db.Column(db.JSON, nullable=False, default=dict)
    credentials = db.Column(db.Text)
    notify_secret = db.Column(db.Text)
    schedule = db.Column(db.JSON, nullable=False, default=list)
    state = db.Column(db.String(12), nullable=False, default="new")
    state_reason = db.Column(db.String(1000))
    failures = db.Column(db.Integer, nullable=False, default=0)
    etag = db.Column(db.String(500))
    last_modified = db.Column(db.String(100))
    cursor = db.Column(db.String(100))  # Ecwid: the newest updateTimestamp seen
    last_pull_at = db.Column(db.DateTime(timezone=True))
    last_success_at = db.Column(db.DateTime(timezone=True))
    last_summary = db.Column(db.JSON)
    next_pull_at = db.Column(db.DateTime(timezone=True), index=True)
    next_delta_at = db.Column(db.DateTime(timezone=True))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
