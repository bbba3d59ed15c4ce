"""The catalog's part of the /api/v1 OpenAPI document, added to the API's document at start-up."""
from server.models.catalog import PRODUCT_STATES

KEY = {"name": "key", "in": "path", "required": True, "description": "The store's public key.",
       "schema": {"type": "string", "minLength": 8, "maxLength": 43}}
SKU = {"name": "sku", "in": "path", "required": True, "description": "The product id (SKU).",
       "schema": {"type": "string", "minLength": 1, "maxLength": 255}}
STRING_OR_NULL = {"type": ["string", "null"]}
TIME = {"type": ["string", "null"], "format": "date-time"}
INTEGER = {"type": "integer", "minimum": 0}
REF = "#/components/schemas/"


def error_response(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": REF + "Error"}}}}


def ok_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF + schema}}}}


def _body(schema, description):
    return {"required": True, "description": description,
            "content": {"application/json": {"schema": {"$ref": REF + schema}}}}


READ_ERRORS = {"401": error_response("No credentials, or an API key that is wrong or revoked."),
               "404": error_response("No such store (or product), or one the caller may not see.")}
WRITE_ERRORS = {**READ_ERRORS, "403": error_response("A member (read-only) tried a change, or the session caller "
                                             "sent no CSRF token."),
                "422": error_response("The body is not what the operation takes (see the message).")}


def schemas():
    """Component schemas of the catalog operations."""
    return {**_product_schemas(), **_intake_schemas(), **_sync_schemas()}


def _product_schemas():
    """A product, its state and reasons, and a page of them."""
    reason = {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"},
        "suggestion": {"type": "string"}}}
    run = {"type": "object", "required": ["id", "kind", "status", "progress"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["delta", "full", "reconcile"]},
        "force": {"type": "boolean"}, "trigger": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
        "phase": STRING_OR_NULL, "counts": {"type": "object"}, "error": STRING_OR_NULL,
        "progress": {"type": "object", "properties": {"done": INTEGER, "total": INTEGER}},
        "created_at": TIME, "started_at": TIME, "finished_at": TIME}}
    product = {"type": "object", "required": ["id", "state", "summary", "reasons", "on_tiktok"], "properties": {
        "id": {"type": "string"}, "title": STRING_OR_NULL, "item_group_id": STRING_OR_NULL,
        "state": {"type": "string", "enum": list(PRODUCT_STATES)},
        "summary": {"type": "string", "description": "One sentence: why the product is (not) on TikTok."},
        "reasons": {"type": "array", "items": {"$ref": REF + "CatalogReason"}},
        "on_tiktok": {"type": "boolean"}, "review": {"type": "object"},
        "state_changed_at": TIME, "synced_at": TIME, "updated_at": TIME}}
    return {
        "CatalogReason": reason,
        "SyncRun": run,
        "CatalogProduct": product,
        "ProductAnswer": {"allOf": [{"$ref": REF + "CatalogProduct"}, {"type": "object", "required": [
            "answer", "notes"], "properties": {"answer": {"type": "string"},
                                               "notes": {"type": "array", "items": {"type": "string"}},
                                               "product_sets": {"type": "array", "items": {"type": "string"}}}}]},
        "ProductPage": {"type": "object", "required": ["total", "products"], "properties": {
            "total": INTEGER, "products": {"type": "array", "items": {"$ref": REF + "CatalogProduct"}}}},
    }


def _intake_schemas():
    """Products and categories sent in, and what was taken and refused."""
    item_error = {"type": "object", "required": ["id", "message"], "properties": {
        "index": {"type": "integer"}, "position": {"type": "string"}, "id": STRING_OR_NULL,
        "message": {"type": "string"}}}
    return {
        "ProductsIn": {"type": "object", "required": ["products"], "properties": {"products": {
            "type": "array", "maxItems": 10000, "description": "Google Merchant Center fields (id, title, "
            "description, link, image_link, price, availability, condition, brand, item_group_id, ...) "
            "plus status (active, hidden, draft) and categories (ids).", "items": {"type": "object"}}}},
        "IntakeResult": {"type": "object", "required": ["received", "accepted", "error_count", "errors", "sync"],
                         "properties": {"received": INTEGER, "accepted": INTEGER, "changed": INTEGER,
                                        "removed": INTEGER, "error_count": INTEGER,
                                        "errors": {"type": "array", "items": item_error},
                                        "summary": {"$ref": REF + "ImportSummary"},
                                        "sync": {"oneOf": [{"$ref": REF + "SyncRun"}, {"type": "null"}]}}},
        "ImportSummary": {"type": "object", "description": "What reaches TikTok: every item read is ready, "
                          "invalid (TikTok's rules), excluded (hidden or draft in the store), rejected (by "
                          "TikTok's review) or refused (malformed).", "required": ["read", "ready", "invalid",
                                                                                   "refused", "removed", "text"],
                          "properties": {**{name: INTEGER for name in ("read", "ready", "invalid", "excluded",
                                                                       "rejected", "refused", "removed")},
                                         "top_reasons": {"type": "array", "items": {"type": "object", "properties": {
                                             "code": {"type": "string"}, "field": STRING_OR_NULL,
                                             "label": {"type": "string"}, "count": INTEGER}}},
                                         "notes": {"type": "array", "items": {"type": "string"}},
                                         "text": {"type": "string"}}},
        "CategoriesIn": {"type": "object", "required": ["categories"], "properties": {"categories": {
            "type": "array", "items": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}, "parent_id": STRING_OR_NULL,
                "hidden": {"type": "boolean"}}}}}},
        "CategoryResult": {"type": "object", "required": ["received", "accepted", "errors", "sync"], "properties": {
            "received": INTEGER, "accepted": INTEGER, "errors": {"type": "array", "items": item_error},
            "sync": {"oneOf": [{"$ref": REF + "SyncRun"}, {"type": "null"}]}}},
    }


def _sync_schemas():
    """The catalog's state, sync requests and the webhook secret."""
    return {
        "CatalogStatus": {"type": "object", "required": ["counts", "on_tiktok", "runs"], "properties": {
            "store": {"type": "string"}, "tiktok": {"type": "object"},
            "counts": {"type": "object", "properties": {state: INTEGER for state in PRODUCT_STATES}},
            "total": INTEGER, "on_tiktok": INTEGER, "running": {"oneOf": [{"$ref": REF + "SyncRun"},
                                                                          {"type": "null"}]},
            "runs": {"type": "array", "items": {"$ref": REF + "SyncRun"}}, "outbox": {"type": "object"},
            "last_reconciled_at": TIME}},
        "SyncRequest": {"type": "object", "properties": {
            "force": {"type": "boolean", "description": "Upload even unchanged products."},
            "id": {"type": "string", "description": "Only this product (a forced re-sync of it)."}}},
        "SyncQueued": {"type": "object", "required": ["sync"], "properties": {"sync": {"$ref": REF + "SyncRun"}}},
        "WebhookSecret": {"type": "object", "required": ["secret"], "properties": {
            "secret": {"type": "string"}, "signature": {"type": "string"}}},
    }


def paths():
    """The catalog operations, relative to /api/v1."""
    return {
        "/stores/{key}/products": {
            "parameters": [KEY],
            "get": {"operationId": "listProducts", "summary": "Products with their state and reasons.",
                    "parameters": [
                        {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(PRODUCT_STATES)}},
                        {"name": "search", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                    "responses": {"200": ok_response("A page of products.", "ProductPage"), **READ_ERRORS,
                                  "422": error_response("A query parameter is out of range.")}},
            "put": {"operationId": "putProducts", "summary": "Add or update products in bulk (thousands per call).",
                    "description": "Malformed items are refused one by one (index, id, reason); the rest are "
                                   "kept. Changed products sync at once.",
                    "requestBody": _body("ProductsIn", "The products."),
                    "responses": {"200": ok_response("What was taken and refused.", "IntakeResult"), **WRITE_ERRORS}}},
        "/stores/{key}/products/{sku}": {
            "parameters": [KEY, SKU],
            "get": {"operationId": "explainProduct", "summary": "Why this product is (or is not) on TikTok.",
                    "responses": {"200": ok_response("The product's state and reasons.", "ProductAnswer"),
                                  **READ_ERRORS}},
            "delete": {"operationId": "deleteProduct", "summary": "Remove a product (it leaves TikTok too).",
                       "responses": {"200": ok_response("Removed.", "IntakeResult"), **WRITE_ERRORS}}},
        "/stores/{key}/categories": {"put": {
            "operationId": "putCategories", "summary": "Add or update categories, with their hidden flag.",
            "parameters": [KEY], "requestBody": _body("CategoriesIn", "The categories."),
            "responses": {"200": ok_response("What was taken and refused.", "CategoryResult"), **WRITE_ERRORS}}},
        "/stores/{key}/catalog": {"get": {
            "operationId": "catalogStatus", "summary": "Counts per state, the running sync, recent syncs.",
            "parameters": [KEY], "responses": {"200": ok_response("The catalog's state.", "CatalogStatus"),
                                               **READ_ERRORS}}},
        "/stores/{key}/catalog/sync": {"post": {
            "operationId": "syncCatalog", "summary": "Sync now (or force a product or the whole store).",
            "parameters": [KEY],
            "requestBody": {"required": False, "content": {"application/json": {
                "schema": {"$ref": REF + "SyncRequest"}}}},
            "responses": {"202": ok_response("The sync was queued.", "SyncQueued"), **WRITE_ERRORS,
                          "409": error_response("The store is not connected to TikTok.")}}},
        "/stores/{key}/catalog/webhook-secret": {"post": {
            "operationId": "rotateWebhookSecret", "summary": "A new secret for the change webhook (shown once).",
            "parameters": [KEY],
            "responses": {"201": ok_response("The new secret.", "WebhookSecret"), **WRITE_ERRORS}}},
    }
