"""Merchants' accounts: users, their store memberships, sign-in sessions and failed sign-in attempts."""
from server.clock import utcnow
from server.extensions import db

ROLES = ("owner", "member")


class User(db.Model):
    """A merchant who signs in to the admin; ``email`` is stored lower-cased."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_sign_in_at = db.Column(db.DateTime(timezone=True))

    memberships = db.relationship("Membership", back_populates="user", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<User {self.id}>"


class Membership(db.Model):
    """A user's role in one store: ``owner`` (may change it) or ``member`` (may look at it)."""

    __tablename__ = "store_memberships"
    __table_args__ = (db.UniqueConstraint("store_id", "user_id"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role = db.Column(db.String(10), nullable=False, default="member")
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    user = db.relationship("User", back_populates="memberships")
    store = db.relationship("Store")


class SignInSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "sign_in_sessions"

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime(timezone=True), nullable=False)

    user = db.relationship("User")


class SignInAttempt(db.Model):
    """A failed sign-in, kept for the rate-limit window (in the database, so every worker sees it)."""

    __tablename__ = "sign_in_attempts"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, index=True)
    ip = db.Column(db.String(45), nullable=False, index=True)
    attempted_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
