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
