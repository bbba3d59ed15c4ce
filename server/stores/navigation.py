"""What the per-store navigation and the store overview show: filled by each feature at start-up.

A feature plugs into the admin from its own ``init_app(app)`` (``server.admin`` passes these on)::

    admin.register_store_page(app, "tiktok.connection", "TikTok", order=10)
    admin.register_store_panel(app, "catalog", "catalog/panel.html", order=30, context=panel_counts)

Pages are tabs in the store navigation (the endpoint takes the store ``key``); panels are cards on
the store overview. Registering a name again replaces the earlier entry. The registry sits below
the shells so that the pixel, the admin and every feature can add to it in any order.
"""
from dataclasses import dataclass, field

from flask import current_app


@dataclass(frozen=True)
class StorePage:
    """A tab of the store navigation."""

    endpoint: str
    label: str
    order: int
    also: tuple = ()  # other endpoints that light this tab up (e.g. the POST handler of its form)

    def is_active(self, endpoint):
        """Whether the current request belongs to this tab."""
        return endpoint == self.endpoint or endpoint in self.also


@dataclass(frozen=True)
class StorePanel:
    """A card on the store overview: a template rendered with ``grant``, ``store`` and ``context(grant)``."""

    name: str
    template: str
    order: int
    context: object = None  # callable(grant) -> dict, or None


@dataclass
class AdminRegistry:
    """The pages and panels registered on one application."""

    pages: dict = field(default_factory=dict)
    panels: dict = field(default_factory=dict)


def _registry(app):
    return app.extensions.setdefault("ttc_admin", AdminRegistry())


def register_store_page(app, endpoint, label, *, order=50, also=()):
    """Add (or replace) a tab in every store's navigation; ``endpoint`` takes the store ``key``."""
    _registry(app).pages[endpoint] = StorePage(endpoint, label, order, tuple(also))


def register_store_panel(app, name, template, *, order=50, context=None):
    """Add (or replace) a card on the store overview."""
    _registry(app).panels[name] = StorePanel(name, template, order, context)


def store_pages(app=None):
    """The store navigation, in order."""
    pages = _registry(app or current_app).pages.values()
    return sorted(pages, key=lambda page: (page.order, page.label))


def store_panels(app=None):
    """The overview cards, in order."""
    panels = _registry(app or current_app).panels.values()
    return sorted(panels, key=lambda panel: (panel.order, panel.name))
