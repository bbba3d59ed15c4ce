"""``flask ads ...``: the Ads page from the command line, as the operator (audited as such); ``flask ads
sets ...`` and ``flask ads launch``: product sets and a catalog campaign."""

import click
from flask.cli import with_appcontext

from server.ads import actions, hints, launch, product_sets, service, shopping
from server.ads.formatting import format_money, format_number, format_ratio
from server.ads.period import MAX_DAYS, custom_period, last_days
from server.ads.report import report_as_dict
from server.cli_support import echo_json as _echo_json
from server.cli_support import fail as _fail
from server.cli_support import store_option
from server.errors import AppError
from server.extensions import db
from server.models.ads import SHOPPING_STATES
from server.stores.cli import operator_store as _store

PURPOSE = "the ads command"
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group("ads")
def ads_group():
    """See and change a store's TikTok campaigns; catalog-ads hints; TikTok Shopping."""


@ads_group.command("campaigns")
@store_option
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=7, show_default=True,
              help="The last N days (today included).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="A custom period's first day (with --end).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="A custom period's last day.")
@json_option
@with_appcontext
def campaigns(key, days, start, end, as_json):
    """The advertiser's campaigns with spend, impressions, clicks, conversions, cost per conversion, ROAS."""
    store = _store(key)
    try:
        if start or end:
            if not (start and end):
                raise click.UsageError("give both --start and --end for a custom period")
            period = custom_period(start.date(), end.date(), service.today())
        else:
            period = last_days(days, service.today())
        report = service.load_report(db.session, store, period, purpose=PURPOSE, fresh=True)
    except AppError as error:
        _fail(error)
    if as_json:
        _echo_json(report_as_dict(report))
        return
    click.echo(f"Advertiser {report.advertiser_id}, {period.label}, figures in {report.currency}.")
    header = ("Campaign", "Name", "Status", "Daily budget", "Spend", "Impr.", "Clicks", "Conv.", "Cost/conv.", "ROAS")
    rows = [header] + [_row(r.campaign_id, r.name, r.status_label, r.budget if r.has_daily_budget else None,
                            r.figures, report.currency) for r in report.campaigns]
    rows.append(_row("Total", "", "", None, report.totals, report.currency))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = enumerate(zip(row, widths, strict=True))
        click.echo("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in cells))
    click.echo(f"Everything else (creatives, new campaigns): {report.manager_url}")


def _row(campaign_id, name, status, budget, figures, currency):
    return (campaign_id, name[:40], status, "" if budget is None else format_money(budget, currency),
            format_money(figures.spend, currency), format_number(figures.impressions), format_number(figures.clicks),
            format_number(figures.conversions), format_money(figures.cost_per_conversion, currency),
            format_ratio(figures.roas))


def _apply(key, action, campaign_id, budget=None):
    store = _store(key)
    try:
        change = actions.apply(db.session, store, None, action, campaign_id, budget, purpose=PURPOSE)
    except AppError as error:
        _fail(error)
    click.echo(change.done)


@ads_group.command("pause")
@click.argument("campaign_id")
@store_option
@with_appcontext
def pause(campaign_id, key):
    """Pause a campaign (its ads stop delivering)."""
    _apply(key, "pause", campaign_id)


@ads_group.command("resume")
@click.argument("campaign_id")
@store_option
@with_appcontext
def resume(campaign_id, key):
    """Resume a paused campaign."""
    _apply(key, "resume", campaign_id)


@ads_group.command("budget")
@click.argument("campaign_id")
@click.argument("amount")
@store_option
@with_appcontext
def budget(campaign_id, amount, key):
    """Set a campaign's daily budget (in the advertiser account's currency)."""
    _apply(key, "budget", campaign_id, amount)


@ads_group.command("hints")
@store_option
@json_option
@with_appcontext
def hints_command(key, as_json):
    """Products eligible for catalog ads, and the pixel events catalog ads need (last 7 days)."""
    store = _store(key)
    counts, events = hints.catalog_counts(db.session, store), hints.catalog_events(db.session, store)
    if as_json:
        _echo_json({"products": counts, "events": events})
        return
    click.echo(f"{counts['eligible']} of {counts['total']} products are eligible for catalog ads "
               f"(approved by TikTok, active, in stock).")
    for event in events["events"]:
        seen = {None: "unknown (no event log)", True: "seen", False: "NOT seen"}[event["seen"]]
        click.echo(f"  {event['label']}: {'on' if event['enabled'] else 'OFF'} in the pixel settings; "
                   f"{seen} in the last {events['days']} days")


@ads_group.command("shopping")
@store_option
@click.option("--state", type=click.Choice(SHOPPING_STATES), help="Record the application's state.")
@click.option("--applied-on", metavar="YYYY-MM-DD", help="When the application was sent (with --state applied).")
@json_option
@with_appcontext
def shopping_command(key, state, applied_on, as_json):
    """Whether the store can apply for TikTok Shopping, what it needs, and the application's state."""
    store = _store(key)
    if state:
        try:
            shopping.record_application(db.session, store, None, state, applied_on, today=service.today())
        except AppError as error:
            _fail(error)
    status = shopping.shopping_status(db.session, store, hints.catalog_counts(db.session, store))
    if as_json:
        _echo_json(status)
        return
    application = status["application"]
    click.echo(f"TikTok Shopping: {'available' if status['available'] else 'not available'} for this store; "
               f"application {application['label'].lower()}"
               + (f" (sent {application['applied_on']})" if application["applied_on"] else "") + ".")
    for requirement in status["requirements"]:
        click.echo(f"  [{'x' if requirement['met'] else ' '}] {requirement['text']}")
    if status["apply_url"]:
        click.echo(f"Apply at {status['apply_url']}")


@ads_group.group("sets")
def sets_group():
    """Product sets: products grouped by rules, kept in step with TikTok."""


@sets_group.command("list")
@store_option
@json_option
@with_appcontext
def sets_list(key, as_json):
    """The store's product sets with our count and TikTok's."""
    found = product_sets.list_sets(db.session, _store(key))
    if as_json:
        return _echo_json(found)
    for item in found["sets"]:
        theirs = "missing at TikTok" if item["at_tiktok"] is False else (
            f"{item['tiktok_count']} at TikTok" if item["tiktok_count"] is not None else "TikTok count unknown")
        click.echo(f"{item['product_set_id']}  {item['name']}: {item['count']} product(s) here, {theirs}"
                   f"  [{item['rules']}]")
    if found["problem"]:
        click.echo(f"TikTok could not be asked: {found['problem']}", err=True)
    if not found["sets"]:
        click.echo("No product sets yet: create one with `flask ads sets create NAME --where FIELD OP VALUE`.")


@sets_group.command("create")
@click.argument("name")
@store_option
@click.option("--where", "where", nargs=3, multiple=True, required=True, metavar="FIELD OP VALUE",
              help="A rule, e.g. --where product_type I_CONTAIN 'Shoes|Bags' or --where price GTE 20 (repeatable).")
@click.option("--any", "match_any", is_flag=True, help="A product matching any rule is in the set (default: all).")
@json_option
@with_appcontext
def sets_create(name, key, where, match_any, as_json):
    """Create a product set at TikTok from rules; prints its TikTok id last."""
    store = _store(key)
    try:
        conditions = product_sets.build_conditions([product_sets.parse_rule(*rule) for rule in where],
                                                   match_any=match_any)
        row = product_sets.create_set(db.session, store, None, name, conditions)
    except AppError as error:
        _fail(error)
    count = len(product_sets.members(db.session, store, row.conditions))
    if as_json:
        return _echo_json({"name": row.name, "rules": product_sets.describe(row.conditions), "count": count,
                          "tiktok_count": row.tiktok_count, "product_set_id": row.tiktok_set_id})
    click.echo(f"Created “{row.name}” ({product_sets.describe(row.conditions)}): {count} product(s) here, "
               f"{row.tiktok_count if row.tiktok_count is not None else '?'} at TikTok.")
    click.echo(row.tiktok_set_id)


@sets_group.command("update")
@click.argument("set_id")
@store_option
@click.option("--name", help="A new name.")
@click.option("--where", "where", nargs=3, multiple=True, metavar="FIELD OP VALUE",
              help="New rules replacing the old ones (repeatable).")
@click.option("--any", "match_any", is_flag=True, help="With --where: any rule is enough.")
@with_appcontext
def sets_update(set_id, key, name, where, match_any):
    """Rename a product set and/or replace its rules (at TikTok and here)."""
    if not name and not where:
        raise click.UsageError("give --name and/or --where")
    store = _store(key)
    try:
        conditions = product_sets.build_conditions([product_sets.parse_rule(*rule) for rule in where],
                                                   match_any=match_any) if where else None
        row = product_sets.update_set(db.session, store, None, set_id, name=name, conditions=conditions)
    except AppError as error:
        _fail(error)
    click.echo(f"“{row.name}” ({product_sets.describe(row.conditions)}): "
               f"{len(product_sets.members(db.session, store, row.conditions))} product(s) here, "
               f"{row.tiktok_count if row.tiktok_count is not None else '?'} at TikTok.")


@sets_group.command("delete")
@click.argument("set_id")
@store_option
@with_appcontext
def sets_delete(set_id, key):
    """Delete a product set (here and at TikTok)."""
    try:
        row = product_sets.delete_set(db.session, _store(key), None, set_id)
    except AppError as error:
        _fail(error)
    click.echo(f"Deleted “{row.name}”.")


@ads_group.command("launch")
@store_option
@click.option("--set", "set_id", metavar="SET_ID", help="Advertise the products of this product set.")
@click.option("--all", "all_products", is_flag=True, help="Advertise the whole catalog.")
@click.option("--countries", required=True, help="Two-letter country codes, e.g. US,GB.")
@click.option("--daily-budget", "budget", required=True, help="In the advertiser account's currency.")
@click.option("--start", metavar="YYYY-MM-DD", help="First day (default today, UTC).")
@click.option("--smart-plus", "smart_plus", is_flag=True, help="A Smart+ campaign instead of manual catalog ads.")
@click.option("--launch", "go_live", is_flag=True, help="Launch at once instead of leaving the campaign paused.")
@json_option
@with_appcontext
def launch_command(key, set_id, all_products, countries, budget, start, smart_plus, go_live, as_json):
    """Create a catalog campaign, ad group and ad (paused unless --launch); prints the campaign id last."""
    if bool(set_id) == bool(all_products):
        raise click.UsageError("give either --set SET_ID or --all")
    store = _store(key)
    try:
        plan = launch.plan(db.session, store, set_id=set_id, countries=countries, budget=budget, start=start,
                           mode="smart_plus" if smart_plus else "manual", today=service.today())
        row = launch.create_paused(db.session, store, None, plan)
        if go_live:
            row = launch.go_live(db.session, store, None, row.id)
    except AppError as error:
        _fail(error)
    if as_json:
        return _echo_json({"state": row.state, "mode": row.mode, "name": row.name, "countries": row.countries,
                          "daily_budget": str(row.daily_budget), "currency": row.currency,
                          "start": row.start_date.isoformat(), "product_set_id": row.product_set_id,
                          "adgroup_id": row.adgroup_id, "ad_id": row.ad_id, "campaign_id": row.campaign_id})
    click.echo(plan.summary)
    click.echo(f"Campaign “{row.name}”: ad group {row.adgroup_id}, ad {row.ad_id}; "
               f"{format_money(row.daily_budget, row.currency)} a day; "
               + ("launched." if row.state == "launched" else
                  "paused: launch it on the Ads page or with --launch next time."))
    click.echo(row.campaign_id)
