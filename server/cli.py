"""The command line: ``flask --app wsgi ...`` or the ``tiktok-connector`` console script."""
from flask.cli import FlaskGroup


def init_app(app):
    """Register every feature's command group."""
    from server.stores.cli import snippet_command, store_group

    app.cli.add_command(store_group)
    app.cli.add_command(snippet_command)


def main():
    """Entry point of the ``tiktok-connector`` console script."""
    from server import create_app

    FlaskGroup(create_app=create_app, help="tiktok-connector: manage stores, the pixel and TikTok.")()
