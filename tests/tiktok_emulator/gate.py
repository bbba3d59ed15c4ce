"""What happens before every API call: faults, token and scope checks, rate limits; and the
request log after it."""
from __future__ import annotations

import time

from flask import Response, g, request

from .envelope import NO_TOKEN_PATHS, ApiError, api_path, envelope, params, state, summary
from .state import SCOPES as SCOPE_IDS

SCOPE_OF_PREFIX = (("bc/", "bc"), ("pixel/", "measurement"), ("event/", "measurement"),
                   ("catalog/", "catalog"), ("campaign/", "ads"), ("report/", "reporting"))
WRITE_PATHS = {"catalog/product/upload/", "catalog/product/update/", "catalog/product/delete/",
               "catalog/product/file/"}


def before_api_call():
    """Run the gate for API paths; returns a response to short-circuit, or None."""
    path = api_path()
    if path is None:
        return None
    g.started = time.time()
    g.api_path = path
    _log_arrival(path)
    response = _inject_fault(path)
    if response is not None:
        return response
    try:
        g.token = _check_token(path)
        _check_rate(path)
    except ApiError as error:
        return envelope(error.code, error.message)
    return None


def _inject_fault(path: str):
    st = state()
    with st.lock:
        fault = None
        for candidate in st.faults:
            if candidate.get("path") and candidate["path"] != path:
                continue
            if st.rng.random() >= float(candidate.get("rate", 1.0)):
                continue
            fault = dict(candidate)
            if candidate.get("remaining") is not None:
                candidate["remaining"] -= 1
                if candidate["remaining"] <= 0:
                    st.faults.remove(candidate)
            break
        if fault:
            st.stats[f"fault_{fault['kind']}"] += 1
    if not fault:
        return None
    kind = fault["kind"]
    if kind in ("timeout", "slow"):
        time.sleep(float(fault.get("seconds", 0.0)))
        return None
    if kind == "http_error":
        g.tiktok_code = None
        response = Response("<html><body><h1>Service Unavailable</h1></body></html>",
                            status=int(fault.get("status", 503)), mimetype="text/html")
        if fault.get("retry_after") is not None:  # an HTTP 429 from TikTok's gateway says when
            response.headers["Retry-After"] = str(fault["retry_after"])
        return response
    if kind == "garbage":
        g.tiktok_code = None
        return Response("<html>upstream error</html>", status=200, mimetype="text/html")
    code = int(fault.get("code", 40100))
    return envelope(code, fault.get("message") or f"Emulated error {code}.")


def _check_token(path: str) -> dict | None:
    if path in NO_TOKEN_PATHS:
        return None
    value = request.headers.get("Access-Token")
    if not value:
        raise ApiError(40104, "Access token is null, you should set it in http header with key Access-Token.")
    st = state()
    with st.lock:
        token = st.tokens.get(value)
        if token is None:
            raise ApiError(40105, "Access token is incorrect or has been revoked.")
        if token["revoked"]:
            raise ApiError(int(st.settings["revoked_token_code"]), "Access token is incorrect or has been revoked.")
        for prefix, family in SCOPE_OF_PREFIX:
            if path.startswith(prefix) and SCOPE_IDS[family] not in token["scope"]:
                raise ApiError(40130, "The scope of this API is not authorized by the advertiser.")
        return dict(token)


def _app_of(path: str) -> str:
    token = g.get("token")
    if token:
        return token["app_id"]
    if path in NO_TOKEN_PATHS:
        try:
            return str(params().get("app_id") or "anonymous")
        except ApiError:
            return "anonymous"
    return "anonymous"


def _check_rate(path: str) -> None:
    st = state()
    settings = st.settings
    if not settings["rate_limits_enabled"]:
        return
    app = _app_of(path)
    window = float(settings["rate_window_seconds"])
    limits = []
    if path not in settings["outside_app_limit"]:
        limits.append(((app, "app"), int(settings["app_per_second"]), window))
    if path in settings["endpoint_per_second"]:
        limits.append(((app, path), int(settings["endpoint_per_second"][path]), window))
    catalog_id = _catalog_of_write(path)
    if catalog_id:
        limits.append((("catalog-hour", catalog_id), int(settings["catalog_per_hour"]), 3600.0))
    now = time.monotonic()
    with st.lock:
        for key, limit, span in limits:
            hits = st.windows[key]
            while hits and hits[0] <= now - span:
                hits.popleft()
            if len(hits) >= limit:
                st.stats["rate_limited"] += 1
                raise ApiError(40100, "Too many requests. Please retry in some time.")
        for key, _limit, _span in limits:
            st.windows[key].append(now)



def _catalog_of_write(path: str) -> str | None:
    if path not in WRITE_PATHS:
        return None
    try:
        return str(params().get("catalog_id") or "") or None
    except ApiError:
        return None


def _log_arrival(path: str) -> None:
    # Logged on arrival, so a call still being served (or timed out) already shows.
    try:
        body = summary(params()) if request.method == "POST" else summary(dict(request.args))
    except ApiError:
        body = {}
    entry = {"method": request.method, "path": path, "http_status": None, "code": None,
             "app_id": None, "params": body, "time": g.started, "duration_ms": None}
    st = state()
    with st.lock:
        st.stats["requests"] += 1
        st.request_log.append(entry)
    g.log_entry = entry


def after_api_call(response):
    """Complete the call's request-log entry (no secrets are ever stored)."""
    entry = g.get("log_entry")
    if entry is None:
        return response
    st = state()
    with st.lock:
        entry.update(http_status=response.status_code, code=g.get("tiktok_code"),
                     app_id=(g.get("token") or {}).get("app_id"),
                     duration_ms=round((time.time() - g.started) * 1000, 1))
    return response
