"""The store admin's ads pages.

``ads``: the Ads page, the confirmation step of every campaign change, and the Shopping application
form. ``ads_launch``: "Advertise your catalog": readiness and the launch form, the confirmation, the
summary of the paused campaign with its Launch button; and the product sets of the Catalog page.
"""
from flask import flash, redirect, request, url_for

from server import admin
from server.ads import actions, launch, overview, product_sets, readiness, service, shopping
from server.ads.errors import SHOWN, AdsUnavailable, InvalidChange
from server.ads.formatting import format_money
from server.ads.period import PRESETS
from server.auth.guards import current_caller, store_required
from server.extensions import db

bp = admin.page_blueprint("ads", __name__, template_folder="templates", static_folder="static",
                          static_url_path="/ads/static")
launch_bp = admin.page_blueprint("ads_launch", __name__)
PERIOD_FIELDS = ("period", "start", "end")
TITLES = {"pause": "Pause this campaign?", "resume": "Resume this campaign?", "budget": "Change the daily budget"}
FORM_FIELDS = ("set", "countries", "budget", "start", "identity", "mode", "ad_text")
RULE_ROWS = 4


@bp.get("/stores/<key>/ads")
@store_required("read")
def ads_page(grant):
    """The Ads page: campaigns and figures for a period, chart, catalog hints, TikTok Shopping."""
    data = overview.ads_page(db.session, grant.store, request.args.to_dict(), today=service.today())
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
    except SHOWN as error:
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


@launch_bp.get("/stores/<key>/ads/launch")
@store_required("read")
def launch_form(grant):
    """Readiness checks and the one-form campaign."""
    return _form_page(grant, dict(request.args.items()))


def _form_page(grant, form, *, status=200, problem=None, fields=None):
    store, session = grant.store, db.session
    currency = store.currency
    try:
        ready = readiness.readiness(session, store)
        connected = ready["checks"][0]["key"] != "connection"
        identities = launch.identities(session, store) if connected else []
        currency = launch.account_currency(session, store) if connected else currency
    except SHOWN as error:
        ready, identities, problem = None, [], problem or error.message
    sets = product_sets.list_sets(session, store, refresh=False)["sets"]
    smart_plus = bool(ready) and ready["counts"]["eligible"] >= launch.rules.SMART_PLUS_MIN_APPROVED
    return admin.render_page("ads/launch.html", status, grant=grant, store=store, ready=ready, sets=sets,
                             identities=identities, form={k: (form.get(k) or "")[:200] for k in FORM_FIELDS},
                             problem=problem, fields=fields or {}, currency=currency, today=service.today(),
                             minimum=launch.minimum_daily_budget(currency),
                             smart_plus=smart_plus)


@launch_bp.post("/stores/<key>/ads/launch")
@store_required("write")
def launch_submit(grant):
    """First POST: check and show the confirmation; confirmed POST: create the campaign paused."""
    form = {k: (request.form.get(k) or "").strip()[:200] for k in FORM_FIELDS}
    try:
        plan = launch.plan(db.session, grant.store, set_id=form["set"] or None, countries=form["countries"],
                           budget=form["budget"], start=form["start"] or None, identity_id=form["identity"] or None,
                           mode=form["mode"] or "manual", ad_text=form["ad_text"] or None, today=service.today())
        if request.form.get("confirm") != "yes":
            return admin.render_page("ads/launch_confirm.html", grant=grant, store=grant.store, plan=plan, form=form,
                                     budget_text=format_money(plan.budget, plan.currency))
        row = launch.create_paused(db.session, grant.store, current_caller().user, plan)
    except launch.LaunchFailed as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("ads.ads_page", key=grant.store.public_key) + "#launches", code=303)
    except SHOWN as error:
        db.session.rollback()
        return _form_page(grant, form, status=error.status, problem=error.message, fields=error.fields)
    flash("The campaign is created at TikTok, paused: check the summary, then launch it.", "success")
    return redirect(url_for("ads_launch.launch_summary", key=grant.store.public_key, launch_id=row.id), code=303)


@launch_bp.get("/stores/<key>/ads/launches/<int:launch_id>")
@store_required("read")
def launch_summary(grant, launch_id):
    """What TikTok has for a campaign made here, and the Launch button while it is paused."""
    row = launch.find_launch(db.session, grant.store, launch_id)
    found, problem = None, None
    if row.state in ("paused", "launched"):
        try:
            found = launch.read_back(db.session, grant.store, row)
        except SHOWN as error:
            problem = error.message
    return admin.render_page("ads/launch_summary.html", grant=grant, store=grant.store, row=row, found=found,
                             problem=problem, budget_text=format_money(row.daily_budget, row.currency))


@launch_bp.post("/stores/<key>/ads/launches/<int:launch_id>/launch")
@store_required("write")
def launch_go(grant, launch_id):
    """Launch the paused campaign (the summary page is the confirmation)."""
    try:
        row = launch.go_live(db.session, grant.store, current_caller().user, launch_id)
    except SHOWN as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("ads_launch.launch_summary", key=grant.store.public_key, launch_id=launch_id),
                        code=303)
    flash(f"“{row.name}” is launched: TikTok reviews the ad, then it starts delivering.", "success")
    return redirect(url_for("ads.ads_page", key=grant.store.public_key), code=303)


@launch_bp.get("/stores/<key>/catalog/sets")
@store_required("read")
def sets_page(grant):
    """The store's product sets, with our count and TikTok's, and the form for a new one."""
    return _sets_page(grant)


def _sets_page(grant, *, status=200, problem=None, form=None, editing=None, deleting=None):
    found = product_sets.list_sets(db.session, grant.store)
    editing = editing or request.args.get("edit")
    if editing and not form:
        form = _form_of(next((s for s in found["sets"] if str(s["product_set_id"]) == str(editing)), None))
    return admin.render_page("ads/sets.html", status, grant=grant, store=grant.store, sets=found["sets"],
                             remote_problem=found["problem"], problem=problem, form=form or {}, editing=editing,
                             deleting=deleting,
                             fields=sorted(product_sets.rules.SET_FIELDS), rows=range(RULE_ROWS),
                             operations=product_sets.OPERATION_WORDS)


def _form_of(item):
    """The edit form's values for a set (its rules in the form's rows)."""
    if item is None:
        return {}
    match = "any" if "or" in item["conditions"] else "all"
    form = {"name": item["name"], "match": match, "set_id": item["product_set_id"]}
    for n, rule in enumerate((item["conditions"].get("and") or item["conditions"].get("or"))[:RULE_ROWS]):
        value = rule["value"]
        form.update({f"field_{n}": rule["field"], f"operation_{n}": rule["operation"],
                     f"value_{n}": "|".join(map(str, value)) if isinstance(value, list) else str(value)})
    return form


def _rules_from_form():
    rows = [(request.form.get(f"field_{n}", ""), request.form.get(f"operation_{n}", ""),
             request.form.get(f"value_{n}", "")) for n in range(RULE_ROWS)]
    parsed = [product_sets.parse_rule(*row) for row in rows if row[0].strip() or row[2].strip()]
    return product_sets.build_conditions(parsed, match_any=request.form.get("match") == "any")


@launch_bp.post("/stores/<key>/catalog/sets")
@store_required("write")
def sets_save(grant):
    """Create a product set, or change one (``set_id``), at TikTok and here."""
    set_id = request.form.get("set_id") or None
    try:
        conditions = _rules_from_form()
        if set_id:
            row = product_sets.update_set(db.session, grant.store, current_caller().user, set_id,
                                          name=request.form.get("name", ""), conditions=conditions)
        else:
            row = product_sets.create_set(db.session, grant.store, current_caller().user, request.form.get("name", ""),
                                          conditions)
    except SHOWN as error:
        db.session.rollback()
        return _sets_page(grant, status=error.status, problem=error.message, form=request.form.to_dict(),
                          editing=set_id)
    flash(f"Product set “{row.name}” {'changed' if set_id else 'created'} at TikTok.", "success")
    return redirect(url_for("ads_launch.sets_page", key=grant.store.public_key), code=303)


@launch_bp.post("/stores/<key>/catalog/sets/delete")
@store_required("write")
def sets_delete(grant):
    """Delete a product set once confirmed (the button asks first)."""
    try:
        if request.form.get("confirm") != "yes":
            return _sets_page(grant,
                              deleting=product_sets.find_set(db.session, grant.store, request.form.get("set_id")))
        row = product_sets.delete_set(db.session, grant.store, current_caller().user, request.form.get("set_id"))
    except SHOWN as error:
        db.session.rollback()
        return _sets_page(grant, status=error.status, problem=error.message)
    flash(f"Product set “{row.name}” deleted.", "success")
    return redirect(url_for("ads_launch.sets_page", key=grant.store.public_key), code=303)
