"""The catalog source's part of the /api/v1 OpenAPI document, added to the API's document at start-up."""
from server.catalog.openapi import (
    KEY,
    READ_ERRORS,
    REF,
    STRING_OR_NULL,
    TIME,
    WRITE_ERRORS,
    error_response,
    ok_response,
)

TIMES = {"type": "string", "maxLength": 200, "description": "Daily pull times, HH:MM UTC, comma-separated."}


def schemas():
    """Component schemas of the source operations."""
    summary = {"type": ["object", "null"], "description": "What the last pull did (the import's summary)."}
    return {
        "CatalogSource": {"type": "object", "required": ["source"], "properties": {"source": {
            "oneOf": [{"type": "null"}, {"type": "object", "required": ["kind", "state", "times"], "properties": {
                "kind": {"type": "string", "enum": ["feed_url", "vtex", "ecwid"]}, "label": {"type": "string"},
                "settings": {"type": "object"}, "has_credentials": {"type": "boolean"},
                "state": {"type": "string", "enum": ["new", "ok", "broken", "disconnected"]},
                "reason": STRING_OR_NULL, "failures": {"type": "integer"},
                "times": {"type": "array", "items": {"type": "string"}}, "last_pull_at": TIME,
                "last_success_at": TIME, "next_pull_at": TIME, "last_summary": summary}}]}}},
        "CatalogSourceIn": {"type": "object", "required": ["kind"], "properties": {
            "kind": {"type": "string", "enum": ["feed_url", "vtex", "ecwid"]},
            "url": {"type": "string", "maxLength": 2000, "description": "feed_url: the feed's URL."},
            "account": {"type": "string", "maxLength": 100, "description": "vtex: the account name."},
            "environment": {"type": "string", "maxLength": 100, "description": "vtex: vtexcommercestable."},
            "sales_channel": {"type": "string", "maxLength": 10, "description": "vtex: the trade policy."},
            "app_key": {"type": "string", "maxLength": 500}, "app_token": {"type": "string", "maxLength": 2000},
            "store_id": {"type": "string", "maxLength": 20, "description": "ecwid: the store id."},
            "token": {"type": "string", "maxLength": 500, "description": "ecwid: the access token."},
            "times": TIMES}},
        "CatalogSourceFound": {"type": "object", "required": ["found"], "properties": {"found": {
            "type": "object", "properties": {"name": STRING_OR_NULL, "country": STRING_OR_NULL,
                                             "currency": STRING_OR_NULL, "product_count": {"type": ["integer", "null"]},
                                             "warnings": {"type": "array", "items": {"type": "string"}}}}}},
        "CatalogSourcePull": {"type": "object", "required": ["queued"], "properties": {
            "queued": {"type": "boolean"}, "job_id": {"type": "integer"}}},
    }


def paths():
    """The source operations, relative to /api/v1."""
    no_source = {"404": error_response("No such store, one the caller may not see, or no catalog source.")}
    return {
        "/stores/{key}/catalog/source": {
            "parameters": [KEY],
            "get": {"operationId": "getCatalogSource", "summary": "Where the catalog comes from, and its pulls.",
                    "responses": {"200": ok_response("The source (null: none).", "CatalogSource"), **READ_ERRORS}},
            "put": {"operationId": "setCatalogSource",
                    "summary": "Set the catalog source: a feed URL, a VTEX account or an Ecwid store.",
                    "description": "Credentials are stored encrypted and never shown again.",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": REF + "CatalogSourceIn"}}}},
                    "responses": {"200": ok_response("The source as saved.", "CatalogSource"), **WRITE_ERRORS}}},
        "/stores/{key}/catalog/source/test": {"post": {
            "operationId": "testCatalogSource", "parameters": [KEY],
            "summary": "What the platform says about the store: name, country, currency, product count.",
            "responses": {"200": ok_response("The platform's answer.", "CatalogSourceFound"), **WRITE_ERRORS,
                          **no_source,
                          "409": error_response("The platform refused the credentials, or the store is suspended."),
                          "502": error_response("The platform could not be reached or kept failing.")}}},
        "/stores/{key}/catalog/source/pull": {"post": {
            "operationId": "pullCatalogSource", "parameters": [KEY], "summary": "Pull the whole catalog now.",
            "responses": {"202": ok_response("The pull was queued.", "CatalogSourcePull"), **WRITE_ERRORS,
                          **no_source}}},
    }
