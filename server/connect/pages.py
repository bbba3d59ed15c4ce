"""The store's TikTok page: connect, the OAuth callback, setup choices, disconnect."""
from flask import current_app, flash, redirect, request, url_for

from server import admin
from server.auth import sessions
from server.auth.guards import current_caller, store_required
from server.connect import disconnect as disconnecting
from server.connect import flow, status
from server.connect.clients import tiktok_client
from server.connect.errors import ConnectError, StateRejected
from server.connect.setup import setup_options, token_client
from server.connect.state import find_connection
from server.extensions import db

bp = admin.page_blueprint("connect", __name__, template_folder="templates")


@bp.get("/stores/<key>/tiktok")
@store_required("read")
def tiktok(grant):
    """The TikTok page: the connection, what it set up, connect / disconnect."""
    return _page(grant)


@bp.post("/stores/<key>/tiktok/connect")
@store_required("write")
def start(grant):
    """Send the merchant to TikTok's consent page with a fresh state."""
    try:
        url = flow.start_connect(db.session, grant.store, current_caller().user)
    except ConnectError as error:
        return _page(grant, error.status, problem=error.message)
    return redirect(url, code=303)


@bp.get(flow.CALLBACK_PATH)
def callback():
    """Where TikTok sends the merchant back with ``auth_code`` (or ``code``) and ``state``."""
    try:
        done = flow.complete_authorization(db.session, request.args.get("state"),
                                           request.args.get("auth_code") or request.args.get("code"),
                                           sessions.current_user())
    except StateRejected as error:
        db.session.rollback()
        return _plain_page(error.status, "This TikTok authorization cannot be used", error.message)
    if done.user_id is None:  # the operator's link: no admin session to go back to
        return _plain_page(200, "TikTok authorization received", _operator_message(done), template="connect/done.html")
    _flash_outcome(done)
    return redirect(_after_setup(done.store.public_key, done.outcome, done.problem))


@bp.get("/stores/<key>/tiktok/setup")
@store_required("write")
def setup(grant):
    """Choose the advertiser account and the Business Center TikTok should use."""
    connection = find_connection(db.session, grant.store)
    if connection is None or not connection.has_token:
        return redirect(url_for("connect.tiktok", key=grant.store.public_key))
    try:
        advertisers, centers = setup_options(token_client(tiktok_client(current_app), connection))
    except ConnectError as error:
        return _page(grant, error.status, problem=error.message)
    return admin.render_page("connect/setup.html", grant=grant, store=grant.store, advertisers=advertisers,
                             centers=centers, chosen_advertiser=connection.advertiser_id, chosen_bc=connection.bc_id)


@bp.post("/stores/<key>/tiktok/setup")
@store_required("write")
def setup_save(grant):
    """Finish setup with the merchant's choices."""
    try:
        outcome = flow.continue_setup(db.session, grant.store, current_caller().user,
                                      advertiser_id=request.form.get("advertiser_id") or None,
                                      bc_id=request.form.get("bc_id") or None)
    except ConnectError as error:
        return _page(grant, error.status, problem=error.message)
    if outcome.done:
        flash(_connected_message(outcome), "success")
    else:  # back to the same choices: say what is still missing rather than reload in silence
        missing = [what for what, chosen in (("an advertiser account", outcome.advertiser_id),
                                             ("a Business Center", outcome.bc_id)) if not chosen]
        flash(f"Choose {' and '.join(missing) or 'the accounts to use'} to finish setting up.", "error")
    return redirect(_after_setup(grant.store.public_key, outcome, None))


@bp.post("/stores/<key>/tiktok/check")
@store_required("write")
def check(grant):
    """Ask TikTok now whether the store's token still works (a refused token disconnects the store)."""
    try:
        works, message = status.check_connection(db.session, grant.store)
    except ConnectError as error:
        works, message = False, error.message
    flash(message[:1].upper() + message[1:] + ".", "success" if works else "error")
    return redirect(url_for("connect.tiktok", key=grant.store.public_key))


@bp.post("/stores/<key>/tiktok/disconnect")
@store_required("write")
def disconnect(grant):
    """Disconnect after the merchant confirmed what it means."""
    if request.form.get("confirm") != "yes":
        return _page(grant, 422, problem="Tick the box to confirm you want to disconnect TikTok.")
    result = disconnecting.disconnect(db.session, grant.store, current_caller().user)
    if result.revoke_problem:
        flash(f"TikTok did not confirm that the access was revoked ({result.revoke_problem}). The token was "
              f"deleted here anyway; you can also remove this app in TikTok Business Center.", "error")
    flash("TikTok is disconnected: the pixel is off and the catalog no longer syncs. "
          + disconnecting.CATALOG_MANAGER_HINT, "success")
    return redirect(url_for("connect.tiktok", key=grant.store.public_key))


def _page(grant, code=200, *, problem=None):
    info = status.connection_status(db.session, grant.store)
    response = admin.render_page("connect/tiktok.html", code, grant=grant, store=grant.store, info=info,
                                 problem=problem, catalog_manager_hint=disconnecting.CATALOG_MANAGER_HINT)
    return _allow_form_to_tiktok(response)


def _allow_form_to_tiktok(rendered):
    """The Connect form answers with a redirect to TikTok, which a strict form-action would block."""
    return admin.allow_form_to(rendered, current_app.config["TTC_TIKTOK_AUTH_URL"])


def _plain_page(code, title, message, template="error.html"):
    body, code = admin.render_page(template, code, title=title, message=message)
    response = current_app.make_response((body, code))
    response.headers["Referrer-Policy"] = "no-referrer"  # the callback URL carried the auth code
    return response


def _after_setup(key, outcome, problem):
    if problem is None and outcome is not None and not outcome.done:
        return url_for("connect.setup", key=key)
    return url_for("connect.tiktok", key=key)


def _flash_outcome(done):
    if done.problem is not None:
        flash(f"TikTok authorized the connector, but setup could not finish: {done.problem.message}", "error")
    elif done.outcome.done:
        flash(_connected_message(done.outcome), "success")
    else:
        flash("TikTok authorized the connector. Choose the accounts to use to finish setting up.", "info")


def _connected_message(outcome):
    created = " and ".join(f"a new {thing}" for thing in outcome.created)
    return ("TikTok is connected: the pixel is live on your pages and the catalog sync has started."
            + (f" This created {created} at TikTok." if created else ""))


def _operator_message(done):
    key = done.store.public_key
    if done.problem is not None:
        return f"The token is stored, but setup could not finish: {done.problem.message}"
    if not done.outcome.done:
        return (f"The token is stored. To finish setup, choose the accounts to use: run "
                f"flask --app wsgi tiktok setup {key} to see them.")
    return f"Store {key} is connected to TikTok. You can close this tab."
