"""A store's link to TikTok, and the one-time ``state`` values of the OAuth round trip."""
from server.clock import utcnow
from server.extensions import db


class TikTokConnection(db.Model):
    """A store's link to TikTok: the encrypted access token and the accounts it was set up with.

    Disconnecting deletes the token (``access_token`` becomes None) but keeps the ids, so that
    connecting again finds the same Business Center, pixel and catalog. The connect flow writes
    this row; the catalog sync and the events relay only read it (through ``server.connect``).
    """

    __tablename__ = "tiktok_connections"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False,
                         unique=True)
    access_token = db.Column(db.Text)  # encrypted with server.security.encrypt_secret; None: no token
    scope = db.Column(db.JSON)  # the permission ids TikTok granted with the token
    advertiser_id = db.Column(db.String(64))
    advertiser_name = db.Column(db.String(255))
    bc_id = db.Column(db.String(64))
    bc_name = db.Column(db.String(255))
    pixel_id = db.Column(db.String(64))
    pixel_code = db.Column(db.String(64))
    catalog_id = db.Column(db.String(64))
    catalog_name = db.Column(db.String(255))
    authorized_at = db.Column(db.DateTime(timezone=True))  # when the current token was obtained
    connected_at = db.Column(db.DateTime(timezone=True))  # when setup last completed
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def has_token(self):
        """Whether a (still encrypted) access token is stored."""
        return bool(self.access_token)


class TikTokOAuthState(db.Model):
    """One ``state`` handed to TikTok's consent page: single use, short-lived, bound to a store and
    to the merchant who asked (``user_id`` None: the operator at the command line).

    Only the SHA-256 of the random nonce is stored; the nonce itself travels signed in the URL.
    """

    __tablename__ = "tiktok_oauth_states"

    id = db.Column(db.Integer, primary_key=True)
    nonce_hash = db.Column(db.String(64), nullable=False, unique=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime(timezone=True), nullable=False)
    used_at = db.Column(db.DateTime(timezone=True))
