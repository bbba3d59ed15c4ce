"""Database models. Importing this package registers every table on ``db.metadata``."""
from server.models.api_key import ApiKey
from server.models.audit import AuditEntry
from server.models.store import Store
from server.models.user import Membership, SignInAttempt, SignInSession, User

__all__ = ["ApiKey", "AuditEntry", "Membership", "SignInAttempt", "SignInSession", "Store", "User"]
