"""Forgotten passwords: ask for a reset link by email, then choose a new password through it."""
from flask import flash, redirect, request, url_for

from server.admin.pages.account import bp
from server.auth import mail, reset
from server.auth.page_blueprints import render_page
from server.errors import ValidationError
from server.extensions import db

SENT = ("If an account has this email, a link to choose a new password is on its way. "
        "It works once, within {minutes} minutes.")
# The reset token is in the page's URL: no Referer may carry it to another site.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


@bp.get("/password/forgot")
def password_forgot():
    """The form asking for the account's email."""
    return render_page("account/forgot.html", 200 if mail.configured() else 404, email="", error=None)


@bp.post("/password/forgot")
def password_forgot_submit():
    """Send the link (or not) and say the same either way, so emails cannot be probed."""
    if not mail.configured():
        return render_page("account/forgot.html", 404, email="", error=None)
    email = request.form.get("email", "")[:254]
    try:
        reset.send_link(db.session, email, request.remote_addr or "unknown")
    except mail.MailError as error:
        return render_page("account/forgot.html", 503, email=email, error=f"{error.message}. Try again later.")
    flash(SENT.format(minutes=reset.minutes()), "success")
    return redirect(url_for("account.signin"))


@bp.get("/password/reset/<token>")
def password_reset(token):
    """The new-password form, if the link is still good."""
    try:
        user = reset.user_for_token(db.session, token)
    except ValidationError as error:
        return _reset_page(410, error=error.message)
    return _reset_page(200, token=token, email=user.email)


@bp.post("/password/reset/<token>")
def password_reset_submit(token):
    """Set the new password; every browser signed in to the account is signed out."""
    try:
        user = reset.reset_password(db.session, token, request.form.get("new_password", ""),
                                    request.remote_addr or "unknown")
    except ValidationError as error:
        db.session.rollback()
        if error.fields.get("password"):
            return _reset_page(422, token=token, email=reset.user_for_token(db.session, token).email,
                               errors={"new_password": error.fields["password"]})
        return _reset_page(410, error=error.message)
    flash(f"The password of {user.email} is changed, and every browser that was signed in is signed out. "
          "Sign in with the new one.", "success")
    return redirect(url_for("account.signin"))


def _reset_page(status, *, token=None, email="", errors=None, error=None):
    page, status = render_page("account/reset.html", status, token=token, email=email, errors=errors or {},
                               error=error)
    return page, status, NO_REFERRER
