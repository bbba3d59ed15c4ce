"""Where products come from: a store's catalog source (a feed URL, a VTEX account, an Ecwid store),
pulled on the store's schedule and when the platform says something changed.

Everything here ends in the catalog's ordinary import path (``catalog.service``); checking products
and sending them to TikTok stay where they were.
"""
from server import jobs
from server.api import extend_document
from server.auth.csrf import csrf
from server.catalog.cli import catalog_group
from server.catalog.sources import api, changes, openapi, pages, schedule, webhooks
from server.catalog.sources.cli import source_group
from server.events import ecwid_orders


def init_app(app):
    """Register the source jobs, the pull schedule, the hooks, the API and ``flask catalog source``."""
    jobs.register(app, schedule.PULL_JOB, changes.run_pull_job)
    jobs.register(app, schedule.DELTA_JOB, changes.run_delta_job)
    jobs.register(app, schedule.REFRESH_JOB, changes.run_refresh_job)
    jobs.periodic(app, "catalog.source-schedule", 60, schedule.enqueue_due_pulls)
    catalog_group.add_command(source_group)
    for event_type in changes.ECWID_HANDLERS:  # one signed Ecwid URL for every feature's events
        ecwid_orders.register(app, event_type, changes.ecwid_event)
    ecwid_orders.set_order_reader(app, changes.read_ecwid_order)
    csrf.exempt(webhooks.hooks)  # the platforms' calls carry no cookie: a path secret or a signature instead
    csrf.exempt(api.api)
    app.register_blueprint(webhooks.hooks)
    app.register_blueprint(api.api)
    app.register_blueprint(pages.bp)
    extend_document(app, paths=openapi.paths(), schemas=openapi.schemas())
