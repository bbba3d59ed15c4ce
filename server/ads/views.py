"""The Ads page, the confirmation step of every campaign change, and the Shopping application form."""
from flask import flash, redirect, request, url_for

from server import admin
from server.ads import actions, page, service, shopping
from server.ads.errors import AdsError, AdsUnavailable, InvalidChange
from server.ads.period import PRESETS
from server.auth.guards import current_caller, store_required
from server.extensions import db

bp = admin.page_blueprint("ads", __name__)
PERIOD_FIELDS = ("period", "start", "end")
TITLES = {"pause": "Pause this campaign?", "resume": "Resume this campaign?", "budget": "Change the daily budget"}


@bp.get("/stores/<key>/ads")
@store_required("read")
def ads_page(grant):
    """The Ads page: campaigns and figures for a period, chart, catalog hints, TikTok Shopping."""
    data = page.ads_page(db.session, grant.store, request.args.to_dict(), today=service.today())
    return admin.render_page("ads/page.html", data.pop("status"), grant=grant, store=grant.store, presets=PRESETS,
                             **data)


@bp.post("/stores/<key>/ads/pause")
@store_required("write")
def campaign_pause(grant):
    """Pause a campaign: the first POST shows the confirmation, the confirmed one pauses it."""
    return _change(grant, "pause")


@bp.post("/stores/<key>/ads/resume")
@store_required("write")
def campaign_resume(grant):
    """Resume a paused campaign, after the confirmation."""
    return _change(grant, "resume")


@bp.post("/stores/<key>/ads/budget")
@store_required("write")
def campaign_budget(grant):
    """Change a campaign's daily budget: the amount, then the confirmation, then the change."""
    return _change(grant, "budget")


@bp.post("/stores/<key>/ads/shopping")
@store_required("write")
def shopping_save(grant):
    """Record the TikTok Shopping application's state."""
    try:
        application = shopping.record_application(db.session, grant.store, current_caller().user,
                                                  request.form.get("state", ""), request.form.get("applied_on"),
                                                  today=service.today())
    except InvalidChange as error:
        db.session.rollback()
        flash(f"The TikTok Shopping application was not recorded: {error.message}.", "error")
    else:
        flash(f"TikTok Shopping application recorded: {application['label'].lower()}"
              + (f" (sent {application['applied_on']})." if application["applied_on"] else "."), "success")
    return redirect(_back(grant, request.form) + "#shopping", code=303)


def _change(grant, action):
    form, back = request.form, _back(grant, request.form)
    campaign_id, budget = form.get("campaign_id", ""), (form.get("budget") or "").strip()
    try:
        if form.get("confirm") == "yes":
            change = actions.apply(db.session, grant.store, current_caller().user, action, campaign_id, budget)
            flash(change.done, "success")
            return redirect(back, code=303)
        change = actions.preview(db.session, grant.store, action, campaign_id)
    except AdsError as error:
        db.session.rollback()
        return _confirm_page(grant, action, back, status=error.status, problem=error.message,
                             unavailable=isinstance(error, AdsUnavailable))
    if action == "budget" and budget:
        try:
            change = actions.with_budget(change, budget)
        except InvalidChange as error:  # the amount form again, with what is wrong
            return _confirm_page(grant, action, back, status=error.status, change=change, problem=error.message,
                                 budget=budget)
    return _confirm_page(grant, action, back, change=change, budget=budget)


def _confirm_page(grant, action, back, *, status=200, change=None, problem=None, budget=None, unavailable=False):
    minimum = actions.minimum_daily_budget(change.currency) if change is not None and change.currency else None
    return admin.render_page("ads/confirm.html", status, grant=grant, store=grant.store, action=action,
                             title=TITLES[action], change=change, problem=problem, unavailable=unavailable,
                             budget=budget or "", minimum=minimum, back=back,
                             period_fields={k: request.form[k] for k in PERIOD_FIELDS if request.form.get(k)})


def _back(grant, form):
    """The Ads page for the period the merchant was looking at."""
    query = {k: form.get(k, "")[:10] for k in PERIOD_FIELDS if form.get(k)}
    return url_for("ads.ads_page", key=grant.store.public_key, **query)
