"""The audit log: who did what to which store, and when."""
from server.clock import utcnow
from server.extensions import db


class AuditEntry(db.Model):
    """One recorded action. ``actor`` is a label kept as written (an email, an API key, the operator)."""

    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor = db.Column(db.String(300), nullable=False)
    action = db.Column(db.String(50), nullable=False)
    details = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
