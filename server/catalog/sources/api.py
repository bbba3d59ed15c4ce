"""The catalog source API under /api/v1: read, set, test and pull a store's source."""
from flask import Blueprint, request

from server.api import authentication
from server.auth.guards import store_required
from server.catalog.sources import schedule, service
from server.errors import ValidationError
from server.extensions import db

api = Blueprint("catalog_source_api", __name__, url_prefix="/api/v1")
authentication.register(api)


@api.get("/stores/<key>/catalog/source")
@store_required("read")
def source_get(grant):
    """The store's catalog source (no secrets), its state and its last and next pull."""
    return {"source": service.describe(db.session, grant.store)}


@api.put("/stores/<key>/catalog/source")
@store_required("write")
def source_put(grant):
    """Set the store's catalog source: a feed URL, a VTEX account or an Ecwid store."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("send a JSON object with kind and its fields")
    kind, settings, credentials = source_fields(body)
    times = schedule.parse_times(body["times"]) if body.get("times") else None
    return {"source": service.set_source(db.session, grant.store, kind, settings, credentials, times=times)}


@api.post("/stores/<key>/catalog/source/test")
@store_required("write")
def source_test(grant):
    """Ask the platform about the store (name, country, currency, product count)."""
    return {"found": service.test_connection(db.session, grant.store)}


@api.post("/stores/<key>/catalog/source/pull")
@store_required("write")
def source_pull(grant):
    """Queue a full pull now ("Sync now"); ``{"allow_shrink": true}`` lets it remove more than
    TTC_CATALOG_MAX_SHRINK_PERCENT of the catalog."""
    service.require_source(db.session, grant.store)
    body = request.get_json(silent=True) if request.content_length else None
    job = service.queue_pull(db.session, grant.store,
                             allow_shrink=isinstance(body, dict) and body.get("allow_shrink") is True)
    return {"queued": True, "job_id": job.id}, 202


def source_fields(body):
    """``(kind, settings, credentials)`` from a form or JSON body (merchants cannot set a base URL)."""
    kind = str(body.get("kind") or "").strip()

    def text(name, limit=500):
        return str(body.get(name) or "").strip()[:limit]

    if kind == "feed_url":
        return kind, {"url": text("url", 2001)}, None
    if kind == "vtex":
        return kind, {"account": text("account", 100).lower(), "environment": text("environment", 100) or None,
                      "sales_channel": text("sales_channel", 10) or "1"}, \
            {"app_key": text("app_key", 501), "app_token": text("app_token", 2001)}
    if kind == "ecwid":
        return kind, {"store_id": text("store_id", 20)}, {"token": text("token", 501)}
    raise ValidationError("kind must be feed_url, vtex or ecwid", fields={"kind": "feed_url, vtex or ecwid"})
