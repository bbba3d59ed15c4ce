"""Sign in, sign up, sign out, and the account page."""
from flask import current_app, flash, redirect, request, url_for

from server import audit
from server.auth import accounts, deletion, passwords, sessions
from server.auth.errors import SignInRefused, TooManyAttempts
from server.auth.guards import current_caller, login_required
from server.auth.page_blueprints import page_blueprint, render_page
from server.auth.redirects import same_site_path
from server.errors import ValidationError
from server.extensions import db

bp = page_blueprint("account", __name__)


def _client_ip():
    return request.remote_addr or "unknown"


def _next_url():
    # Only paths on this site: anything else would make sign-in an open redirect.
    return same_site_path(request.values.get("next", "")) or url_for("admin.stores")


@bp.get("/signin")
def signin():
    """The sign-in form."""
    if sessions.current_user() is not None:
        return redirect(_next_url())
    return render_page("account/signin.html", email="", error=None, next=same_site_path(request.args.get("next")) or "")


@bp.post("/signin")
def signin_submit():
    """Check the credentials (rate-limited) and start a fresh session."""
    email = request.form.get("email", "")
    form = {"email": email, "next": request.form.get("next", "")}
    try:
        user = accounts.authenticate(db.session, email, request.form.get("password", ""), _client_ip())
    except TooManyAttempts as error:
        page, status = render_page("account/signin.html", 429, error=error.message, **form)
        return page, status, {"Retry-After": str(error.retry_after_seconds)}
    except SignInRefused as error:
        return render_page("account/signin.html", 422, error=error.message, **form)
    target = _next_url()  # judged before the session starts: a bad ``next`` never leaves half a sign-in
    sessions.sign_in(user, _client_ip())
    return redirect(target)


@bp.get("/signup")
def signup():
    """The sign-up form."""
    if not current_app.config["TTC_ALLOW_SIGNUP"]:
        return render_page("account/signup_closed.html", 404)
    return render_page("account/signup.html", email="", errors={})


@bp.post("/signup")
def signup_submit():
    """Create an account and sign it in."""
    if not current_app.config["TTC_ALLOW_SIGNUP"]:
        return render_page("account/signup_closed.html", 404)
    email = request.form.get("email", "")
    try:
        user = accounts.create_user(db.session, email, request.form.get("password", ""))
    except ValidationError as error:
        return render_page("account/signup.html", 422, email=email, errors=error.fields)
    audit.record(db.session, None, user, "user.created", {"email": user.email})
    sessions.sign_in(user, _client_ip())
    flash("Welcome! Your account is ready. Add your first store.", "success")
    return redirect(url_for("admin.store_new"))


@bp.post("/signout")
def signout():
    """End the session."""
    sessions.sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("account.signin"))


@bp.get("/account")
@login_required
def account():
    """The merchant's account: email, recent sign-ins, password change."""
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password after checking the current one."""
    user = current_caller().user
    if not passwords.verify_password(user.password_hash, request.form.get("current_password", "")):
        return _account_page(422, {"current_password": "this is not your current password"})
    try:
        accounts.set_password(db.session, user, request.form.get("new_password", ""),
                              keep_session=sessions.current_token_hash())
    except ValidationError as error:
        return _account_page(422, {"new_password": error.fields["password"]})
    audit.record(db.session, None, user, "user.password_changed", {})
    db.session.commit()
    flash("Your password is changed. Every other browser signed in to your account is signed out.", "success")
    return redirect(url_for("account.account"))


@bp.post("/account/delete")
@login_required
def delete_account():
    """Delete the signed-in account (its password and the word "delete" confirm it)."""
    user = current_caller().user
    try:
        email = deletion.delete_account(db.session, user, request.form.get("password", ""),
                                        request.form.get("confirm", ""))
    except ValidationError as error:
        db.session.rollback()
        return _account_page(422, delete_errors=error.fields)
    sessions.sign_out()
    flash(f"The account {email} is deleted.", "success")
    return redirect(url_for("account.signin"))


def _account_page(status=200, errors=None, delete_errors=None):
    user = current_caller().user
    return render_page("account/account.html", status, user=user, errors=errors or {},
                       delete_errors=delete_errors or {}, sole_owner_of=deletion.sole_owner_of(db.session, user),
                       entries=audit.entries_for_account(db.session, user))
