"""The audit log of merchant actions: who changed what in which store, and when.

Other modules call ``record(session, store, actor, action, details)``; the entry joins the caller's
transaction and is written by its next commit.
"""
from sqlalchemy import select

from server.models.audit import AuditEntry
from server.models.user import User

OPERATOR = "operator (CLI)"
# Store fields whose values stay out of the log (personal data); the log says only that they changed.
PRIVATE_FIELDS = frozenset({"phone"})
HIDDEN = "(hidden)"

SUMMARIES = {
    "store.created": "created the store",
    "store.updated": "changed the store settings",
    "api_key.created": "created an API key",
    "api_key.revoked": "revoked an API key",
    "member.added": "added a member",
    "member.role_changed": "changed a member's role",
    "member.removed": "removed a member",
    "user.created": "created the account",
    "user.signed_in": "signed in",
    "user.password_changed": "changed the password",
    "user.password_reset_sent": "asked for a password-reset link",
    "user.password_reset": "set a new password through a reset link",
    "user.deleted": "deleted the account",
    "store.deleted": "deleted a store",
}


def record(session, store, actor, action, details=None):
    """Add one entry: ``actor`` is a User, a Caller, a label, or None for the operator (CLI)."""
    label, user_id = _actor(actor)
    entry = AuditEntry(store_id=store.id if store is not None else None, user_id=user_id,
                       actor=label[:300], action=action, details=dict(details or {}))
    session.add(entry)
    return entry


def record_label(actor):
    """How the log names ``actor`` (a User, a Caller, a label, or None for the operator)."""
    return _actor(actor)[0][:300]


def _actor(actor):
    if actor is None:
        return OPERATOR, None
    if isinstance(actor, str):
        return actor, None
    if isinstance(actor, User):
        return actor.email, actor.id
    user = getattr(actor, "user", None)  # a Caller (server.auth.access)
    return actor.label, user.id if user is not None else None


def store_changes(before, after):
    """Details for a store change: the changed field names and old -> new for non-private fields."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {
        "fields": changed,
        "changes": {name: {"from": _shown(name, before.get(name)), "to": _shown(name, after[name])}
                    for name in changed},
    }


def _shown(name, value):
    return HIDDEN if name in PRIVATE_FIELDS and value not in (None, "") else value


def entries_for_store(session, store, *, limit=50):
    """The store's most recent entries, newest first."""
    query = (select(AuditEntry).where(AuditEntry.store_id == store.id)
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
    return session.execute(query).scalars().all()


def entries_for_account(session, user, *, limit=20):
    """A user's own account events (sign-ins, password changes), newest first."""
    query = (select(AuditEntry).where(AuditEntry.user_id == user.id, AuditEntry.store_id.is_(None))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit))
    return session.execute(query).scalars().all()


def summary(entry):
    """One short sentence for an entry, e.g. "created an API key"."""
    return SUMMARIES.get(entry.action, entry.action.replace(".", " ").replace("_", " "))
