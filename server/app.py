"""tiktok-connector: the Flask application factory."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import (
    admin,
    ads,
    api,
    auth,
    bodysize,
    catalog,
    cli,
    config,
    connect,
    errors,
    events,
    jobs,
    logs,
    migrations,
    pixel,
    strictjson,
)
from server.extensions import db

# The features, each plugging itself into the shells from its own init_app; any order works.
FEATURES = (connect, events, catalog, ads)


def create_app(test_config=None, features=None):
    """Build the application: settings, extensions, blueprints, command line, schema upgrade.

    ``features`` replaces ``FEATURES`` (the same packages, perhaps in another order)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or config.instance_path()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    config.load(app, test_config)
    app.json = strictjson.make_provider(app)  # request bodies: hostile JSON is a ValueError, never a crash

    logs.init_app(app)
    db.init_app(app)
    migrations.init_app(app)
    errors.init_app(app)
    bodysize.init_app(app)
    _trust_proxies(app)  # before the pixel and collector edges wrap the app: they read the header themselves
    pixel.init_app(app)
    jobs.init_app(app)
    auth.init_app(app)
    admin.init_app(app)
    api.init_app(app)
    for feature in FEATURES if features is None else features:
        feature.init_app(app)
    cli.init_app(app)
    migrations.upgrade_on_start(app)
    return app


def _trust_proxies(app):
    """Behind TTC_TRUSTED_PROXIES reverse proxies, Flask's ``request.remote_addr`` is the client's."""
    hops = app.config["TTC_TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)
