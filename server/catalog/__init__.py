"""The catalog sync, as a pipeline: products come in (``intake``: the push API, feeds, the signed
webhook; ``sources``: a feed URL, VTEX or Ecwid pulled on a schedule), are checked and mapped
(``checks``), and reach TikTok through durable jobs (``sync``), with every product's state and
reasons readable by the merchant. The shells sit here: ``pages`` (admin HTML), ``api`` (JSON),
``webhooks``, ``cli`` and the API document's part (``openapi``); ``service`` is what they call."""
from server import jobs
from server.api import extend_document
from server.auth.csrf import csrf
from server.catalog import api, openapi, pages, sources, webhooks
from server.catalog.cli import catalog_group
from server.catalog.intake import imports, signatures
from server.catalog.sync import job, reviews, runs, schedule
from server.connect.signals import connected


def init_app(app):
    """Register the catalog's jobs, periodic tasks, command line, API, webhook and admin page."""
    jobs.register(app, runs.SYNC_JOB, job.run_sync_job)
    jobs.register(app, runs.REVIEW_JOB, reviews.run_review_job)
    jobs.register(app, imports.IMPORT_JOB, imports.run_import_job)
    jobs.periodic(app, "catalog.reconcile-schedule", 60, schedule.enqueue_due_reconciles)
    jobs.periodic(app, "catalog.webhook-receipts", 3600, signatures.purge_receipts)
    jobs.periodic(app, "catalog.import-files", 3600, imports.forget_old_tickets)
    app.cli.add_command(catalog_group)
    # API-key callers carry no cookie and the webhook is signed: CSRF tokens do not apply to either
    # (the API still asks session callers for one, in its own authentication).
    csrf.exempt(api.api)
    csrf.exempt(webhooks.hooks)
    app.register_blueprint(api.api)
    app.register_blueprint(webhooks.hooks)
    extend_document(app, paths=openapi.paths(), schemas=openapi.schemas())
    connected.connect(runs.on_connected, sender=app)
    pages.init_app(app)
    sources.init_app(app)
