"""tiktok-connector: the Flask application factory."""
from flask import Flask

from server import config


def create_app(test_config=None):
    """Build the application: settings, extensions, blueprints, command line, schema upgrade."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or config.instance_path()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    config.load(app, test_config)

    from server import admin, api, auth, cli, errors, logs, migrations, pixel
    from server import ads, catalog, connect, events, jobs
    from server.extensions import db

    logs.init_app(app)
    db.init_app(app)
    migrations.init_app(app)
    errors.init_app(app)
    pixel.init_app(app)
    jobs.init_app(app)
    auth.init_app(app)
    admin.init_app(app)
    connect.init_app(app)
    api.init_app(app)
    catalog.init_app(app)  # after admin: it takes over the admin's catalog placeholder
    events.init_app(app)  # after pixel, jobs, admin and api: it builds on each
    ads.init_app(app)
    cli.init_app(app)
    migrations.upgrade_on_start(app)
    return app
