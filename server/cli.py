"""The command line: ``flask --app wsgi ...`` or the ``tiktok-connector`` console script."""
from flask.cli import FlaskGroup, ScriptInfo

from server.auth.cli import add_member_command, apikey_group, remove_member_command, user_group
from server.stores.cli import snippet_command, store_group

# The console script finds the factory as ``flask --app server.app`` would: by name, so this module
# (which the factory itself loads) does not import the factory back.
APP_IMPORT_PATH = "server.app:create_app"


def init_app(app):
    """Register every feature's command group."""
    store_group.add_command(add_member_command)
    store_group.add_command(remove_member_command)
    app.cli.add_command(store_group)
    app.cli.add_command(snippet_command)
    app.cli.add_command(user_group)
    app.cli.add_command(apikey_group)


def main():
    """Entry point of the ``tiktok-connector`` console script."""
    group = FlaskGroup(help="tiktok-connector: manage stores, the pixel and TikTok.")
    group(obj=ScriptInfo(app_import_path=APP_IMPORT_PATH))
