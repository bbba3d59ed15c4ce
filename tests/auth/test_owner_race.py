"""The last-owner rule under concurrency: two owners removing (or demoting) each other at the same
moment, in two threads with their own database connections, never leave a store without an owner."""
import threading

import pytest
from sqlalchemy import select

from server.auth.access import Caller, add_member, remove_member
from server.auth.errors import Forbidden
from server.errors import ValidationError
from server.extensions import db
from server.models.user import Membership
from tests.accounts import cheap_hashing, make_user  # noqa: F401
from tests.factories import make_store

TRIALS = 12


def race(app, store_id, moves):
    """Run each ``move(session, store)`` in its own thread, released together; returns their outcomes."""
    start = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def run(number, move):
        with app.app_context():
            from server.models.store import Store

            store = db.session.get(Store, store_id)
            try:
                start.wait()
                move(db.session, store)
                outcomes[number] = "done"
            except (ValidationError, Forbidden) as error:
                db.session.rollback()
                outcomes[number] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(number, move)) for number, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def owners(store):
    db.session.expire_all()
    return db.session.execute(select(Membership.user_id).where(Membership.store_id == store.id,
                                                               Membership.role == "owner")).scalars().all()


@pytest.mark.parametrize("change", ["remove", "demote"])
def test_two_owners_taking_each_other_away_leave_one_owner(app, session, change):
    for _ in range(TRIALS):
        store = make_store()
        ana, bia = make_user(f"ana{store.id}@example.com"), make_user(f"bia{store.id}@example.com")
        for user in (ana, bia):
            session.add(Membership(store_id=store.id, user_id=user.id, role="owner"))
        session.commit()

        def take(caller, target):
            if change == "remove":
                return lambda s, st: remove_member(s, Caller.for_user(s.merge(caller)), st, target.email)
            return lambda s, st: add_member(s, Caller.for_user(s.merge(caller)), st, target.email, "member")

        outcomes = race(app, store.id, [take(ana, bia), take(bia, ana)])

        assert sorted(outcomes) in (["Forbidden", "done"], ["ValidationError", "done"]), outcomes
        assert len(owners(store)) == 1
