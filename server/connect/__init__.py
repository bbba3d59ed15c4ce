"""Connecting a store to TikTok: OAuth, the stored token, setup, disconnecting (by hand or
automatically), and the TikTok client every feature uses for a store (``store_client``)."""
from server import admin, audit
from server.connect import pages
from server.connect.cli import tiktok_group
from server.connect.clients import store_client, tiktok_client
from server.connect.disconnect import disconnect_deleted_store
from server.connect.status import connection_status
from server.extensions import db
from server.stores import deletion

__all__ = ["init_app", "store_client", "tiktok_client"]

AUDIT_SUMMARIES = {
    "tiktok.authorized": "authorized TikTok",
    "tiktok.connected": "connected TikTok",
    "tiktok.attached": "attached a TikTok advertiser token",
    "tiktok.disconnected": "disconnected TikTok",
    "tiktok.auto_disconnected": "lost the TikTok connection: TikTok refused the token",
}


def init_app(app):
    """The TikTok page and its overview card, the OAuth callback, the ``tiktok`` commands."""
    for action, words in AUDIT_SUMMARIES.items():
        audit.SUMMARIES.setdefault(action, words)
    app.register_blueprint(pages.bp)
    admin.register_store_page(app, "connect.tiktok", "TikTok", order=10,
                              also=("connect.start", "connect.setup", "connect.setup_save", "connect.check",
                                    "connect.disconnect"))
    admin.register_store_panel(app, "tiktok", "connect/panel.html", order=20,
                               context=lambda grant: {"info": connection_status(db.session, grant.store)})
    app.cli.add_command(tiktok_group)
    deletion.before_deletion(app, "tiktok_disconnected", disconnect_deleted_store)
