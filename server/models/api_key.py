"""Per-store API keys: only the SHA-256 of the key is stored, plus a short prefix to recognise it."""
from server.clock import utcnow
from server.extensions import db


class ApiKey(db.Model):
    """A revocable key that lets a program read and change one store through the JSON API."""

    __tablename__ = "api_keys"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    prefix = db.Column(db.String(16), nullable=False)
    key_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_by = db.Column(db.String(254), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime(timezone=True))
    revoked_at = db.Column(db.DateTime(timezone=True))

    store = db.relationship("Store")

    @property
    def active(self):
        """Whether the key still opens the API."""
        return self.revoked_at is None

    def __repr__(self):
        return f"<ApiKey {self.prefix}…>"
