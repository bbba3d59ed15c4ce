"""Database models. Importing this package registers every table on ``db.metadata``."""
from server.models.ads import AdLaunch, AdProductSet, TikTokShoppingApplication  # noqa: F401
from server.models.api_key import ApiKey
from server.models.audit import AuditEntry
from server.models.catalog import (  # noqa: F401
                                    CatalogCategory,
                                    CatalogProduct,
                                    ImageCheck,
                                    StoreCatalog,
                                    SyncBatch,
                                    SyncRun,
                                    WebhookReceipt,
)
from server.models.catalog_source import CatalogSource  # noqa: F401
from server.models.events import EventBatch, EventSettings, ServerEvent  # noqa: F401
from server.models.job import Job  # noqa: F401  (the job outbox table)
from server.models.store import Store
from server.models.tiktok import TikTokConnection, TikTokOAuthState  # noqa: F401
from server.models.user import Membership, SignInAttempt, SignInSession, User

__all__ = ["ApiKey", "AuditEntry", "Membership", "SignInAttempt", "SignInSession", "Store", "User"]
