"""The admin's own pages: sign-in and account (``account``, ``password``), the merchant's stores
(``stores``) and their API keys (``keys``). ``account.bp`` and ``stores.bp`` are the two blueprints."""
from server.admin.pages import account, keys, password, stores

__all__ = ["account", "keys", "password", "stores"]
