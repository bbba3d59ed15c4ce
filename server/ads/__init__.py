"""TikTok ads from the store admin: campaigns and their figures, pause / resume / daily budget with a
confirmation and the audit log, catalog-aware hints, TikTok Shopping eligibility, and launching a
catalog campaign (product sets, readiness checks, paused creation, Launch)."""
from server import admin, audit
from server.ads import actions, launch, pages, product_sets, shopping
from server.ads.cli import ads_group
from server.ads.formatting import format_money, format_number, format_ratio
from server.catalog.sync import status as catalog_status


def init_app(app):
    """The Ads page and its tab, the money/number filters, audit wording, the ``ads`` commands."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.launch_bp)
    admin.register_store_page(app, "ads.ads_page", "Ads", order=40,
                              also=("ads.campaign_pause", "ads.campaign_resume", "ads.campaign_budget",
                                    "ads.shopping_save", "ads_launch.launch_form", "ads_launch.launch_submit",
                                    "ads_launch.launch_summary", "ads_launch.launch_go"))
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_ratio, "ratio")
    for action, words in {**actions.SUMMARIES, **shopping.SUMMARIES, **launch.SUMMARIES,
                          **product_sets.SUMMARIES}.items():
        audit.SUMMARIES.setdefault(action, words)
    catalog_status.register_product_sets(app, product_sets.sets_of_product)
    app.cli.add_command(ads_group)
