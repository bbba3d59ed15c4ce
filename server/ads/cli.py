"""``flask ads ...``: the Ads page from the command line, as the operator (audited as such)."""

import click
from flask.cli import with_appcontext

from server.ads import actions, hints, service, shopping
from server.ads.formatting import format_money, format_number, format_ratio
from server.ads.period import MAX_DAYS, custom_period, last_days
from server.ads.report import report_as_dict
from server.errors import AppError
from server.extensions import db
from server.models.ads import SHOPPING_STATES
from server.cli_support import echo_json as _echo_json, fail as _fail, store_option
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
