"""A store: one storefront, its TikTok connection state and its pixel settings."""
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.security import new_public_key

PLATFORMS = ("vtex-legacy", "vtex-io", "ecwid", "headless", "generic")
# The shopping funnel, in the order a shopper meets it; "PlaceAnOrder" stands for the order event.
PIXEL_EVENTS = ("ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo", "Search",
                "CompleteRegistration", "AddToWishlist", "ClickButton")
# On for a new store: the events every platform reports reliably. Registration, wishlist and clicks
# exist only on some platforms (VTEX IO documents its sign-up event as not triggered yet).
DEFAULT_EVENTS = ("ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo", "Search")
ORDER_EVENT_NAMES = ("PlaceAnOrder", "Purchase")
CONSENT_MODES = ("none", "hold")
TIKTOK_STATES = ("not_connected", "connected", "disconnected")


class Store(db.Model):
    """One storefront. Every change to a row bumps ``version`` (the pixel cache keys on it)."""

    __tablename__ = "stores"

    id = db.Column(db.Integer, primary_key=True)
    public_key = db.Column(db.String(43), nullable=False, unique=True, default=new_public_key)
    name = db.Column(db.String(200), nullable=False)
    domains = db.Column(db.JSON, nullable=False, default=list)
    platform = db.Column(db.String(20), nullable=False, default="generic")
    country = db.Column(db.String(2), nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    phone = db.Column(db.String(20))

    pixel_code = db.Column(db.String(64))
    pixel_enabled = db.Column(db.Boolean, nullable=False, default=True)
    events = db.Column(db.JSON, nullable=False, default=lambda: list(DEFAULT_EVENTS))
    # New stores fire Purchase: TikTok renamed CompletePayment to Purchase and soft-deprecated
    # PlaceAnOrder in May 2025 (sunset 2027; "any new Pixel setup should use Purchase", TIKTOK_API.md
    # 1.3). A Python-side default only, so stores that already chose PlaceAnOrder keep it.
    order_event = db.Column(db.String(20), nullable=False, default="Purchase")
    consent_mode = db.Column(db.String(10), nullable=False, default="none")
    advanced_matching = db.Column(db.Boolean, nullable=False, default=False)
    # Catalog: an http:// link or image is tried in its https:// form, and sent so when that answers.
    https_upgrade = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())

    tiktok_state = db.Column(db.String(20), nullable=False, default="not_connected")
    tiktok_state_reason = db.Column(db.String(500))
    tiktok_state_changed_at = db.Column(db.DateTime(timezone=True))

    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    version = db.Column(db.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def pixel_live(self):
        """Whether shoppers' pages fire the pixel: enabled, has a code, not disconnected from TikTok."""
        return bool(self.pixel_enabled and self.pixel_code and self.tiktok_state != "disconnected")

    @property
    def order_event_enabled(self):
        """Whether the order event (under whichever name) is on."""
        return "PlaceAnOrder" in (self.events or [])

    def __repr__(self):
        return f"<Store {self.public_key} {self.name!r}>"


def find_store(session, public_key, *, reload=False):
    """The store with this public key, or None; ``reload`` re-reads a row the session already holds."""
    if not isinstance(public_key, str) or not 8 <= len(public_key) <= 43:
        return None
    query = select(Store).where(Store.public_key == public_key)
    if reload:
        query = query.execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def list_stores(session):
    """Every store, oldest first."""
    return session.execute(select(Store).order_by(Store.id)).scalars().all()
