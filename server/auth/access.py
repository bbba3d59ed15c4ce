"""Tenancy: who may see and change which store. Every page, API call and command asks here.

A merchant sees only stores they belong to; any other store answers "not found", exactly as a store
that does not exist, so its existence never leaks. Members may look; only owners may change.
"""
from dataclasses import dataclass

from sqlalchemy import select, update

from server import audit
from server.auth.accounts import find_user
from server.auth.errors import Forbidden, Unauthorized
from server.errors import NotFound, ValidationError
from server.models.api_key import ApiKey
from server.models.store import Store, find_store, list_stores
from server.models.user import ROLES, Membership, User

NEEDS = ("read", "write")
WRITE_ROLES = ("owner", "operator", "api_key")


@dataclass(frozen=True)
class Caller:
    """Who is asking: a signed-in merchant, a store's API key, or the operator at the command line."""

    kind: str  # "user" | "api_key" | "operator"
    user: User | None = None
    api_key: ApiKey | None = None

    @classmethod
    def operator(cls):
        """The operator running the command line: sees and changes every store."""
        return cls("operator")

    @classmethod
    def for_user(cls, user):
        """A signed-in merchant."""
        return cls("user", user=user)

    @classmethod
    def for_api_key(cls, api_key):
        """A program holding one store's API key."""
        return cls("api_key", api_key=api_key)

    @property
    def label(self):
        """How the audit log names this caller."""
        if self.kind == "user":
            return self.user.email
        if self.kind == "api_key":
            return f"API key {self.api_key.prefix}… ({self.api_key.name})"
        return audit.OPERATOR


@dataclass(frozen=True)
class Grant:
    """A store the caller may see, and the caller's role in it."""

    store: Store
    role: str  # "owner" | "member" | "operator" | "api_key"

    @property
    def can_write(self):
        """Whether the caller may change the store."""
        return self.role in WRITE_ROLES


def load_store_for(session, caller, key, need="read"):
    """The store with this key as the caller may use it; NotFound if they may not see it at all,
    Forbidden if they may see it but ``need`` is "write" and they are only a member."""
    if need not in NEEDS:
        raise ValueError(f"need is one of {NEEDS}, not {need!r}")
    if caller is None:
        raise Unauthorized("sign in, or send an API key as 'Authorization: Bearer <key>'")
    store = find_store(session, key)
    role = _role(session, caller, store) if store is not None else None
    if role is None:
        raise NotFound(f"no store with key {key!r}")
    grant = Grant(store, role)
    if need == "write" and not grant.can_write:
        raise Forbidden("you are a member of this store: members can look at it, only owners can change it")
    return grant


def _role(session, caller, store):
    if caller.kind == "operator":
        return "operator"
    if caller.kind == "api_key":
        return "api_key" if caller.api_key.store_id == store.id and caller.api_key.active else None
    return session.execute(
        select(Membership.role).where(Membership.store_id == store.id, Membership.user_id == caller.user.id)
    ).scalar_one_or_none()


def visible_stores(session, caller):
    """Every store the caller may see, with their role, oldest first."""
    if caller.kind == "operator":
        return [Grant(store, "operator") for store in list_stores(session)]
    if caller.kind == "api_key":
        return [Grant(caller.api_key.store, "api_key")]
    rows = session.execute(
        select(Store, Membership.role).join(Membership, Membership.store_id == Store.id)
        .where(Membership.user_id == caller.user.id).order_by(Store.id)
    ).all()
    return [Grant(store, role) for store, role in rows]


def add_member(session, caller, store, email, role):
    """Give an existing account a role in the store (or change its role); audited, committed."""
    if role not in ROLES:
        raise ValidationError(f"role is one of {', '.join(ROLES)}", fields={"role": "owner or member"})
    user = find_user(session, email)
    if user is None:
        raise ValidationError("no account with this email: they need to sign up first",
                              fields={"email": "no account with this email: they need to sign up first"})
    lock_owners(session, caller, store)
    membership = session.execute(
        select(Membership).where(Membership.store_id == store.id, Membership.user_id == user.id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if membership is None:
        session.add(Membership(store_id=store.id, user_id=user.id, role=role))
        audit.record(session, store, caller, "member.added", {"email": user.email, "role": role})
    elif membership.role != role:
        if membership.role == "owner":
            _keep_an_owner(session, store)
        audit.record(session, store, caller, "member.role_changed",
                     {"email": user.email, "from": membership.role, "to": role})
        membership.role = role
    session.commit()
    return user


def remove_member(session, caller, store, email):
    """Take a person's role in the store away (they keep their account); audited, committed.
    Returns the account. A store always keeps at least one owner."""
    user = find_user(session, email)
    lock_owners(session, caller, store)
    membership = None if user is None else session.execute(
        select(Membership).where(Membership.store_id == store.id, Membership.user_id == user.id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if membership is None:
        problem = "no one with this email belongs to this store"
        raise ValidationError(problem, fields={"email": problem})
    if membership.role == "owner":
        _keep_an_owner(session, store)
    session.delete(membership)
    audit.record(session, store, caller, "member.removed", {"email": user.email, "role": membership.role})
    session.commit()
    return user


def lock_owners(session, caller, store):
    """Lock the store's owners until the transaction ends (row locks on PostgreSQL, the write lock on
    SQLite), then check a merchant caller is still one of them: two owners removing each other at
    once are taken one after the other, and the second sees the first's change (not committed)."""
    session.execute(update(Membership).where(Membership.store_id == store.id, Membership.role == "owner")
                    .values(role="owner").execution_options(synchronize_session=False))
    if caller.kind == "user" and session.execute(select(Membership.role).where(
            Membership.store_id == store.id, Membership.user_id == caller.user.id)).scalar() != "owner":
        raise Forbidden("you are no longer an owner of this store")


def _keep_an_owner(session, store):
    """Refuse to take away the store's last owner (nobody could change the store any more); call
    after ``lock_owners``, in the same transaction."""
    owners = session.execute(select(Membership.id).where(Membership.store_id == store.id,
                                                         Membership.role == "owner")).all()
    if len(owners) <= 1:
        problem = "a store keeps at least one owner: make someone else owner first"
        raise ValidationError(problem, fields={"email": problem})


def members_of(session, store):
    """The store's people as (email, role, since), owners first."""
    rows = session.execute(
        select(User.email, Membership.role, Membership.created_at).join(Membership, Membership.user_id == User.id)
        .where(Membership.store_id == store.id).order_by(Membership.role.desc(), User.email)
    ).all()
    return [tuple(row) for row in rows]
