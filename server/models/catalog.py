"""Catalog tables: products and categories as the store sent them, what TikTok has, sync runs and
their upload/delete batches (the outbox), image measurements, webhook receipts."""

from server.clock import utcnow
from server.extensions import db
from server.models.tiktok import TikTokConnection  # noqa: F401  (moved to models/tiktok; still importable here)

# What a merchant reads about each product, in the order a product moves through them.
PRODUCT_STATES = ("excluded", "invalid", "queued", "uploading", "pending_review", "listed", "rejected",
                  "deleted")
VISIBILITIES = ("active", "hidden", "draft")
RUN_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
BATCH_STATES = ("pending", "sending", "sent", "done", "dead")


class CatalogProduct(db.Model):
    """One product (one SKU; variants share an ``item_group_id``) and its way to TikTok.

    ``payload_hash`` is the hash of what would be sent now; ``synced_hash`` the hash of what TikTok
    accepted (None: not on TikTok); ``refused_hash`` a payload TikTok refused, not sent again
    until it changes or a re-sync is forced.
    """

    __tablename__ = "catalog_products"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    sku = db.Column(db.String(255), nullable=False)
    item_group_id = db.Column(db.String(255))
    data = db.Column(db.JSON, nullable=False)
    category_ids = db.Column(db.JSON, nullable=False, default=list)
    visibility = db.Column(db.String(10), nullable=False, default="active")
    image_url = db.Column(db.Text)
    problems = db.Column(db.JSON, nullable=False, default=list)
    source_hash = db.Column(db.String(32), nullable=False)
    payload_hash = db.Column(db.String(32))
    synced_hash = db.Column(db.String(32))
    refused_hash = db.Column(db.String(32))
    force_sync = db.Column(db.Boolean, nullable=False, default=False)  # a re-sync was asked for
    state = db.Column(db.String(20), nullable=False, default="queued")
    reasons = db.Column(db.JSON, nullable=False, default=list)
    state_changed_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    review_status = db.Column(db.String(20))
    review_reasons = db.Column(db.JSON)
    reviewed_at = db.Column(db.DateTime(timezone=True))
    synced_at = db.Column(db.DateTime(timezone=True))
    removed_at = db.Column(db.DateTime(timezone=True))
    import_mark = db.Column(db.Integer, nullable=False, default=0)
    seen_mark = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("store_id", "sku"),
        db.Index("ix_catalog_products_store_id_state", "store_id", "state"),
    )

    @property
    def on_tiktok(self):
        """Whether TikTok has (a version of) this product, as far as the last sync knows."""
        return self.synced_hash is not None


class CatalogCategory(db.Model):
    """A store category; hiding it keeps its products (and its sub-categories' products) off TikTok."""

    __tablename__ = "catalog_categories"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    category_id = db.Column(db.String(255), nullable=False)
    name = db.Column(db.String(500), nullable=False)
    parent_id = db.Column(db.String(255))
    hidden = db.Column(db.Boolean, nullable=False, default=False)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("store_id", "category_id"),)


class StoreCatalog(db.Model):
    """Per-store catalog settings and bookkeeping: webhook secret, reconcile slot, import counter."""

    __tablename__ = "store_catalogs"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False,
                         unique=True)
    webhook_secret = db.Column(db.Text)  # encrypted with server.security.encrypt_secret
    webhook_secret_set_at = db.Column(db.DateTime(timezone=True))
    reconcile_slot = db.Column(db.Integer, nullable=False, default=0)
    mark_counter = db.Column(db.Integer, nullable=False, default=0)
    last_reconciled_at = db.Column(db.DateTime(timezone=True))


class SyncRun(db.Model):
    """One sync of a store's catalog: what started it, what it planned, how far it got."""

    __tablename__ = "catalog_sync_runs"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    job_id = db.Column(db.Integer)
    kind = db.Column(db.String(10), nullable=False, default="delta")  # delta | full | reconcile
    force = db.Column(db.Boolean, nullable=False, default=False)  # upload even unchanged products
    trigger = db.Column(db.String(20), nullable=False, default="manual")
    status = db.Column(db.String(10), nullable=False, default="queued")
    phase = db.Column(db.String(20))
    counts = db.Column(db.JSON, nullable=False, default=dict)
    progress_done = db.Column(db.Integer, nullable=False, default=0)
    progress_total = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.String(1000))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime(timezone=True))
    finished_at = db.Column(db.DateTime(timezone=True))

    __table_args__ = (db.Index("ix_catalog_sync_runs_store_id_status", "store_id", "status"),)


class SyncBatch(db.Model):
    """One upload (up to 5,000 products) or delete (up to 1,000 SKUs): the sync's outbox row.

    ``skus`` keeps the order sent, so the 1-based ``index`` in TikTok's upload log maps back to a SKU;
    ``sent_hashes`` are the payload hashes sent, recorded before the call and made ``synced_hash``
    only once TikTok's log says the products were taken.
    """

    __tablename__ = "catalog_sync_batches"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    run_id = db.Column(db.Integer, db.ForeignKey("catalog_sync_runs.id", ondelete="SET NULL"))
    kind = db.Column(db.String(10), nullable=False)  # upload | delete
    skus = db.Column(db.JSON, nullable=False)
    sent_hashes = db.Column(db.JSON)
    status = db.Column(db.String(10), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    feed_log_id = db.Column(db.String(64))
    last_error = db.Column(db.String(1000))
    result = db.Column(db.JSON)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime(timezone=True))
    finished_at = db.Column(db.DateTime(timezone=True))

    __table_args__ = (db.Index("ix_catalog_sync_batches_store_id_status", "store_id", "status"),)


class ImageCheck(db.Model):
    """The measured size and type of one image URL, with its validators for a conditional re-check."""

    __tablename__ = "catalog_image_checks"

    id = db.Column(db.Integer, primary_key=True)
    url_hash = db.Column(db.String(64), nullable=False, unique=True)
    url = db.Column(db.Text, nullable=False)
    outcome = db.Column(db.String(20), nullable=False)  # ok | too_small | bad_format | unreachable | blocked
    width = db.Column(db.Integer)
    height = db.Column(db.Integer)
    image_format = db.Column(db.String(10))
    message = db.Column(db.String(500))
    etag = db.Column(db.String(200))
    last_modified = db.Column(db.String(100))
    checked_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)


class WebhookReceipt(db.Model):
    """A change webhook already taken: its signature, so the same request is refused if replayed."""

    __tablename__ = "catalog_webhook_receipts"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    signature_hash = db.Column(db.String(64), nullable=False, unique=True)
    received_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
