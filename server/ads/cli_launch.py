"""``flask ads sets ...`` and ``flask ads launch``: product sets and a catalog campaign from the
command line, as the operator (audited as such)."""
import click
from flask.cli import with_appcontext

from server.ads import launch, service
from server.ads.formatting import format_money
from server.ads import product_sets
from server.cli_support import echo_json, fail, store_option
from server.stores.cli import operator_store
from server.errors import AppError
from server.extensions import db

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group("sets")
def sets_group():
    """Product sets: products grouped by rules, kept in step with TikTok."""


@sets_group.command("list")
@store_option
@json_option
@with_appcontext
def sets_list(key, as_json):
    """The store's product sets with our count and TikTok's."""
    found = product_sets.list_sets(db.session, operator_store(key))
    if as_json:
        return echo_json(found)
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
    store = operator_store(key)
    try:
        conditions = product_sets.build_conditions([product_sets.parse_rule(*rule) for rule in where],
                                                   match_any=match_any)
        row = product_sets.create_set(db.session, store, None, name, conditions)
    except AppError as error:
        fail(error)
    count = len(product_sets.members(db.session, store, row.conditions))
    if as_json:
        return echo_json({"name": row.name, "rules": product_sets.describe(row.conditions), "count": count,
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
    store = operator_store(key)
    try:
        conditions = product_sets.build_conditions([product_sets.parse_rule(*rule) for rule in where],
                                                   match_any=match_any) if where else None
        row = product_sets.update_set(db.session, store, None, set_id, name=name, conditions=conditions)
    except AppError as error:
        fail(error)
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
        row = product_sets.delete_set(db.session, operator_store(key), None, set_id)
    except AppError as error:
        fail(error)
    click.echo(f"Deleted “{row.name}”.")


@click.command("launch")
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
    store = operator_store(key)
    try:
        plan = launch.plan(db.session, store, set_id=set_id, countries=countries, budget=budget, start=start,
                           mode="smart_plus" if smart_plus else "manual", today=service.today())
        row = launch.create_paused(db.session, store, None, plan)
        if go_live:
            row = launch.go_live(db.session, store, None, row.id)
    except AppError as error:
        fail(error)
    if as_json:
        return echo_json({"state": row.state, "mode": row.mode, "name": row.name, "countries": row.countries,
                          "daily_budget": str(row.daily_budget), "currency": row.currency,
                          "start": row.start_date.isoformat(), "product_set_id": row.product_set_id,
                          "adgroup_id": row.adgroup_id, "ad_id": row.ad_id, "campaign_id": row.campaign_id})
    click.echo(plan.summary)
    click.echo(f"Campaign “{row.name}”: ad group {row.adgroup_id}, ad {row.ad_id}; "
               f"{format_money(row.daily_budget, row.currency)} a day; "
               + ("launched." if row.state == "launched" else
                  "paused: launch it on the Ads page or with --launch next time."))
    click.echo(row.campaign_id)
