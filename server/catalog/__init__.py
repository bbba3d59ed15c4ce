"""The catalog sync: products in (push API, feeds, webhook), checked and mapped, synced to TikTok
by durable jobs, with every product's state and reasons readable by the merchant."""


def init_app(app):
    """Register the catalog's jobs, periodic tasks, command line, API, webhook and admin page."""
    from server import jobs
    from server.auth.csrf import csrf
    from server.catalog import admin, imports, openapi, reviews, schedule, sources, sync, views, webhooks
    from server.catalog.cli import catalog_group
    from server.catalog.runs import REVIEW_JOB, SYNC_JOB

    jobs.register(app, SYNC_JOB, sync.run_sync_job)
    jobs.register(app, REVIEW_JOB, reviews.run_review_job)
    jobs.register(app, imports.IMPORT_JOB, imports.run_import_job)
    jobs.periodic(app, "catalog.reconcile-schedule", 60, schedule.enqueue_due_reconciles)
    jobs.periodic(app, "catalog.webhook-receipts", 3600, webhooks.purge_receipts)
    jobs.periodic(app, "catalog.import-files", 3600, imports.forget_old_tickets)
    app.cli.add_command(catalog_group)
    # API-key callers carry no cookie and the webhook is signed: CSRF tokens do not apply to either
    # (the API still asks session callers for one, in its own authentication).
    csrf.exempt(views.api)
    csrf.exempt(views.hooks)
    app.register_blueprint(views.api)
    app.register_blueprint(views.hooks)
    app.after_request(openapi.merge_into_api_document)
    admin.init_app(app)
    sources.init_app(app)
