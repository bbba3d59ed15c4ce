"""Deleting one's own account: refused while the account is a store's only owner."""
from sqlalchemy import delete, func, select

from server import audit
from server.auth import passwords, sessions
from server.errors import ValidationError
from server.models.store import Store
from server.models.user import Membership, User

CONFIRM_WORD = "delete"


def sole_owner_of(session, user):
    """The stores in which ``user`` is the only owner, by name."""
    owners = (select(Membership.store_id, func.count(Membership.id).label("owners"))
              .where(Membership.role == "owner").group_by(Membership.store_id).subquery())
    rows = session.execute(
        select(Store).join(Membership, Membership.store_id == Store.id)
        .join(owners, owners.c.store_id == Store.id)
        .where(Membership.user_id == user.id, Membership.role == "owner", owners.c.owners == 1)
        .order_by(Store.name)).scalars().all()
    return list(rows)


def delete_account(session, user, password, confirmation):
    """Delete the account, its memberships and every signed-in browser (committed)."""
    errors = {}
    if not passwords.verify_password(user.password_hash, password or ""):
        errors["password"] = "this is not your current password"
    if (confirmation or "").strip().lower() != CONFIRM_WORD:
        errors["confirm"] = f"type {CONFIRM_WORD} to confirm"
    stores = sole_owner_of(session, user)
    if stores:
        names = ", ".join(f"“{store.name}”" for store in stores)
        errors["account"] = (f"you are the only owner of {names}: in each store's Settings, make someone else "
                             "owner, or delete the store, first")
    if errors:
        raise ValidationError("the account was not deleted", fields=errors)
    email, user_id = user.email, user.id
    sessions.end_sessions(session, user_id)
    session.execute(delete(Membership).where(Membership.user_id == user_id)
                    .execution_options(synchronize_session=False))
    audit.record(session, None, email, "user.deleted", {"email": email})
    session.execute(delete(User).where(User.id == user_id).execution_options(synchronize_session=False))
    session.expunge(user)
    session.commit()
    return email
