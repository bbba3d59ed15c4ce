"""The OpenAPI 3 document of /api/v1. A test checks it lists exactly the routes the app serves."""
import snippets
from server.models.store import CONSENT_MODES, ORDER_EVENT_NAMES, PIXEL_EVENTS

KEY = {"name": "key", "in": "path", "required": True, "description": "The store's public key.",
       "schema": {"type": "string", "minLength": 8, "maxLength": 43}}
PLATFORM = {"name": "platform", "in": "query", "required": False,
            "description": "Storefront platform; defaults to the store's.",
            "schema": {"type": "string", "enum": list(snippets.PLATFORMS)}}
EVENT = {"name": "event", "in": "path", "required": True,
         "description": "head, an event, or Purchase (the order snippet under its recommended name).",
         "schema": {"type": "string", "enum": ["head", *snippets.EVENTS, "Purchase"]}}
NULLABLE_STRING = {"type": ["string", "null"]}
TIME = {"type": ["string", "null"], "format": "date-time"}


def _error(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description, schema):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema}}}}


ERRORS = {
    "401": _error("No credentials, or an API key that is wrong or revoked."),
    "404": _error("No such store, or one the caller may not see."),
}


def _schemas():
    pixel_settings = {
        "code": {**NULLABLE_STRING, "description": "TikTok pixel code, for a manual setup."},
        "enabled": {"type": "boolean"},
        "events": {"type": "array", "items": {"type": "string", "enum": list(PIXEL_EVENTS)}},
        "order_event": {"type": "string", "enum": list(ORDER_EVENT_NAMES),
                        "description": "Purchase is what TikTok recommends; PlaceAnOrder is deprecated "
                                       "and sunsets in 2027."},
        "consent_mode": {"type": "string", "enum": list(CONSENT_MODES),
                         "description": "hold: send nothing until the page grants consent."},
        "advanced_matching": {"type": "boolean"},
    }
    details = {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "domains": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "platform": {"type": "string", "enum": list(snippets.PLATFORMS)},
        "country": {"type": "string", "minLength": 2, "maxLength": 2, "description": "ISO 3166-1 alpha-2."},
        "currency": {"type": "string", "minLength": 3, "maxLength": 3, "description": "ISO 4217."},
        "phone": {**NULLABLE_STRING, "description": "E.164, e.g. +5511912345678."},
    }
    store = {
        "type": "object",
        "required": ["key", "name", "domains", "platform", "country", "currency", "phone", "pixel", "tiktok",
                     "created_at", "updated_at", "role"],
        "properties": {
            "key": {"type": "string"}, **details,
            "pixel": {"type": "object", "required": [*pixel_settings, "live"],
                      "properties": {**pixel_settings, "live": {"type": "boolean"}}},
            "tiktok": {"type": "object", "required": ["state", "reason", "changed_at"], "properties": {
                "state": {"type": "string", "enum": ["not_connected", "connected", "disconnected"]},
                "reason": NULLABLE_STRING, "changed_at": TIME}},
            "created_at": TIME, "updated_at": TIME,
            "role": {"type": "string", "enum": ["owner", "member", "api_key", "operator"]},
        },
    }
    snippet = {"type": "object", "required": ["event", "fires_as", "enabled", "snippet"], "properties": {
        "event": {"type": "string"}, "fires_as": {"type": "string"}, "enabled": {"type": "boolean"},
        "snippet": {"type": "string"}}}
    return {
        "Store": store,
        "StoreList": {"type": "object", "required": ["stores"],
                      "properties": {"stores": {"type": "array", "items": {"$ref": "#/components/schemas/Store"}}}},
        "StoreChanges": {"type": "object", "additionalProperties": False, "properties": {
            **details, "pixel": {"type": "object", "additionalProperties": False, "properties": pixel_settings}}},
        "Snippets": {"type": "object", "required": ["store", "platform", "head", "events"], "properties": {
            "store": {"type": "string"}, "platform": {"type": "string"}, "head": {"type": "string"},
            "events": {"type": "array", "items": snippet}}},
        "Snippet": {"type": "object", "required": ["store", "event", "platform", "snippet"], "properties": {
            "store": {"type": "string"}, "event": {"type": "string"}, "platform": {"type": "string"},
            "snippet": {"type": "string"}}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "What is wrong with each field, by JSON path (e.g. pixel.code)."}}}}},
    }


def _paths():
    return {
        "/stores": {"get": {
            "operationId": "listStores", "summary": "The stores the caller may see.",
            "responses": {"200": _ok("The stores.", "#/components/schemas/StoreList"), "401": ERRORS["401"]}}},
        "/stores/{key}": {
            "parameters": [KEY],
            "get": {"operationId": "getStore", "summary": "One store's settings.",
                    "responses": {"200": _ok("The store.", "#/components/schemas/Store"), **ERRORS}},
            "patch": {
                "operationId": "updateStore",
                "summary": "Change some settings; send only what changes, in the shape GET returns.",
                "description": "Owners and API keys only. A session caller also sends X-CSRF-Token.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/StoreChanges"}}}},
                "responses": {"200": _ok("The store as it now is.", "#/components/schemas/Store"),
                              "401": ERRORS["401"],
                              "403": _error("A member (read-only) tried to change the store, or the "
                                            "session caller sent no CSRF token."),
                              "404": ERRORS["404"],
                              "422": _error("A setting breaks a rule; `fields` says which and why.")}}},
        "/stores/{key}/snippets": {"get": {
            "operationId": "listSnippets", "summary": "The head snippet and every event snippet.",
            "parameters": [KEY, PLATFORM],
            "responses": {"200": _ok("The snippets.", "#/components/schemas/Snippets"), **ERRORS,
                          "422": _error("Unknown platform.")}}},
        "/stores/{key}/snippets/{event}": {"get": {
            "operationId": "getSnippet", "summary": "One snippet.", "parameters": [KEY, EVENT, PLATFORM],
            "responses": {"200": _ok("The snippet.", "#/components/schemas/Snippet"), **ERRORS,
                          "422": _error("Unknown platform.")}}},
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document.", "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    }


def extend_document(app, paths=None, schemas=None):
    """Add a feature's operations (OpenAPI paths relative to /api/v1) and component schemas."""
    extra = app.extensions.setdefault("ttc_openapi", {"paths": {}, "schemas": {}})
    extra["paths"].update(paths or {})
    extra["schemas"].update(schemas or {})


def document(server_url, session_cookie_name, extra=None):
    """The OpenAPI document, with this connector's address as the server and features' additions."""
    extra = extra or {"paths": {}, "schemas": {}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "tiktok-connector API", "version": "1",
                 "description": "Read and change your stores' pixel settings and get the snippets to paste. "
                                "Authenticate with a store's API key (Authorization: Bearer ttc_...)."},
        "servers": [{"url": f"{server_url}/api/v1"}],
        "security": [{"apiKey": []}, {"session": []}],
        "paths": {**_paths(), **extra["paths"]},
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer",
                           "description": "A store's API key, made on the store's API keys page."},
                "session": {"type": "apiKey", "in": "cookie", "name": session_cookie_name,
                            "description": "The signed-in admin session; changes also need X-CSRF-Token."},
            },
            "schemas": {**_schemas(), **extra["schemas"]},
        },
    }
