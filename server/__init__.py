"""tiktok-connector: the Flask server. The application factory is ``server.app.create_app``."""
