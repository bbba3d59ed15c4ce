"""TikTok's response envelope, request parsing, and the checks every API call goes through:
injected faults, the access token, scopes and rate limits."""
from __future__ import annotations

import json
import time
import uuid

from flask import current_app, g, jsonify, request

API_PREFIX = "/open_api/v1.3/"
NO_TOKEN_PATHS = {"oauth2/access_token/", "oauth2/revoke_token/"}
SECRET_FIELDS = {"secret", "access_token", "auth_code", "app_secret", "client_secret"}


class ApiError(Exception):
    """An error answer: HTTP 200 with a non-zero ``code``, as TikTok does."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def state():
    """The emulator state of the running app."""
    return current_app.config["EMULATOR_STATE"]


def envelope(code: int, message: str, data=None):
    """A TikTok envelope response, remembering the code for the request log."""
    g.tiktok_code = code
    request_id = time.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:20].upper()
    response = jsonify({"code": code, "message": message, "request_id": request_id,
                        "data": data if data is not None else {}})
    response.headers["X-TT-LOGID"] = request_id
    return response


def ok(data=None):
    """A success envelope."""
    return envelope(0, "OK", data)


def api_path() -> str | None:
    """The path relative to the API root, or None for non-API requests."""
    if request.path.startswith(API_PREFIX):
        return request.path[len(API_PREFIX):]
    return None


def params() -> dict:
    """The call's parameters: JSON body for POST; query for GET with JSON arrays/objects decoded."""
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(40002, "The request body must be a JSON object.")
        return body
    values = {}
    for key, value in request.args.items():
        stripped = value.strip()
        if stripped[:1] in "[{":
            try:
                values[key] = json.loads(stripped)
                continue
            except ValueError:
                raise ApiError(40002, f"{key}: invalid JSON") from None
        values[key] = value
    return values


def require(values: dict, *names: str) -> None:
    """Fail with 40002 unless every named parameter is present and non-empty."""
    for name in names:
        if values.get(name) in (None, "", [], {}):
            raise ApiError(40002, f"{name}: Missing data for required field.")


def int_param(values: dict, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within TikTok's documented range."""
    raw = values.get(name, default)
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise ApiError(40002, f"{name}: Not a valid integer.") from None
    if not low <= number <= high:
        raise ApiError(40002, f"{name}: Must be between {low} and {high}.")
    return number


def paginate(items: list, values: dict, *, max_page_size: int, default_size: int = 10):
    """One page of ``items`` and TikTok's ``page_info``."""
    page = int_param(values, "page", 1, 1, 10**9)
    size = int_param(values, "page_size", default_size, 1, max_page_size)
    total_pages = (len(items) + size - 1) // size
    chunk = items[(page - 1) * size: page * size]
    return chunk, {"page": page, "page_size": size, "total_number": len(items), "total_page": total_pages}


def summary(values: dict) -> dict:
    """What the request log keeps of a body: keys, list lengths, short scalars; no secrets."""
    kept = {}
    for key, value in values.items():
        if key in SECRET_FIELDS:
            continue
        if isinstance(value, list):
            kept[key] = f"<{len(value)} items>"
        elif isinstance(value, (str, int, float, bool)) and len(str(value)) <= 64:
            kept[key] = value
        elif isinstance(value, str):  # a long filter (sku_ids, conditions): that it was there
            kept[key] = f"<{len(value)} chars>"
    return kept
