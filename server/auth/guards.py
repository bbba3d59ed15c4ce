"""View decorators: the one place pages and API endpoints check who is calling and for which store.

``store_required(need)`` turns the ``key`` URL argument into a Grant through ``load_store_for``;
each decorated view records its access class in ``view.access`` ("login", "store:read",
"store:write"), which the tenancy tests compare with what the route really does.
"""
from functools import wraps

from server.auth import sessions
from server.auth.access import Caller, load_store_for
from server.auth.errors import Unauthorized
from server.extensions import db

SIGN_IN_NEEDED = "sign in, or send an API key as 'Authorization: Bearer <key>'"


def current_caller():
    """Who is calling: what the API's authentication set, else the signed-in merchant, else None."""
    state = sessions.request_state()
    if "caller" not in state:
        user = sessions.current_user()
        state["caller"] = Caller.for_user(user) if user is not None else None
    return state["caller"]


def login_required(view):
    """Let the view run only for a signed-in merchant (or an API key); others get Unauthorized."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_caller() is None:
            raise Unauthorized(SIGN_IN_NEEDED)
        return view(*args, **kwargs)

    wrapped.access = "login"
    return wrapped


def store_required(need="read"):
    """Replace the ``key`` URL argument by the caller's Grant on that store; NotFound/Forbidden otherwise."""
    def decorator(view):
        @wraps(view)
        def wrapped(key, **kwargs):
            caller = current_caller()
            if caller is None:
                raise Unauthorized(SIGN_IN_NEEDED)
            return view(load_store_for(db.session, caller, key, need), **kwargs)

        wrapped.access = f"store:{need}"
        return wrapped

    return decorator
