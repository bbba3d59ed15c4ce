"""What a merchant told us about their TikTok Shopping application (TikTok offers no API for it)."""
from server.clock import utcnow
from server.extensions import db

SHOPPING_STATES = ("not_applied", "applied", "approved", "rejected")


class TikTokShoppingApplication(db.Model):
    """A store's TikTok Shopping application as the merchant recorded it by hand."""

    __tablename__ = "tiktok_shopping_applications"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    state = db.Column(db.String(20), nullable=False, default="not_applied")
    applied_on = db.Column(db.Date)  # when the merchant sent the application form
    updated_by = db.Column(db.String(300))  # who recorded the state, as the audit log names them
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class AdProductSet(db.Model):
    """A product set: products chosen by rules (``conditions`` in TikTok's own shape), kept in step
    with the TikTok product set ``tiktok_set_id`` of the store's catalog."""

    __tablename__ = "ad_product_sets"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    name = db.Column(db.String(64), nullable=False)
    conditions = db.Column(db.JSON, nullable=False)  # {"and"|"or": [{"field", "operation", "value"}]}
    tiktok_set_id = db.Column(db.String(64))  # None: not created at TikTok (yet)
    tiktok_count = db.Column(db.Integer)  # TikTok's product_count when last read
    synced_at = db.Column(db.DateTime(timezone=True))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (db.UniqueConstraint("store_id", "name"),)


LAUNCH_STATES = ("creating", "paused", "launched", "failed")


class AdLaunch(db.Model):
    """One catalog campaign made from the admin: what was asked, what TikTok created, and where a
    failed creation stopped (``failed_step``, ``error``) and what was done about it (``cleanup``)."""

    __tablename__ = "ad_launches"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    mode = db.Column(db.String(20), nullable=False, default="manual")  # manual | smart_plus
    state = db.Column(db.String(20), nullable=False, default="creating")
    name = db.Column(db.String(512), nullable=False)
    product_set_id = db.Column(db.String(64))  # TikTok's id; None: the whole catalog
    product_set_name = db.Column(db.String(64))
    countries = db.Column(db.JSON, nullable=False)
    daily_budget = db.Column(db.Numeric(18, 2), nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    start_date = db.Column(db.Date, nullable=False)
    identity_id = db.Column(db.String(64))
    campaign_id = db.Column(db.String(64))
    adgroup_id = db.Column(db.String(64))
    ad_id = db.Column(db.String(64))
    failed_step = db.Column(db.String(20))
    error = db.Column(db.Text)
    cleanup = db.Column(db.Text)  # what happened to the objects made before the failure
    created_by = db.Column(db.String(300))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    launched_at = db.Column(db.DateTime(timezone=True))
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (db.Index("ix_ad_launches_store_id_created_at", "store_id", "created_at"),)
