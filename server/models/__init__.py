"""Database models. Importing this package registers every table on ``db.metadata``."""
from server.models.store import Store

__all__ = ["Store"]
