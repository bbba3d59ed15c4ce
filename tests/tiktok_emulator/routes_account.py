"""OAuth (authorize page, token exchange, revoke, authorized advertisers), Business Centers,
user info and pixels."""
from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, g, redirect, request

from .envelope import ApiError, ok, paginate, params, require, state

bp = Blueprint("tiktok_account", __name__)

AUTH_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TikTok for Business - Authorize</title></head>
<body>
<h1>Authorize app {app_id}</h1>
<p>The app asks to manage ads, pixels and catalogs for the accounts you select.</p>
<form method="post" action="" id="authorize-form">
<input type="hidden" name="app_id" value="{app_id}">
<input type="hidden" name="state" value="{state}">
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
{advertisers}
<button type="submit" id="confirm" name="decision" value="confirm">Confirm</button>
</form>
</body></html>
"""


def _with_query(url: str, extra: dict) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


@bp.get("/portal/auth")
def authorize_page():
    """The advertiser's consent page: an HTML form listing the advertisers to grant."""
    st = state()
    app_id, redirect_uri = request.args.get("app_id", ""), request.args.get("redirect_uri", "")
    if app_id not in st.settings["apps"] or not redirect_uri:
        return Response("<h1>Invalid app_id or redirect_uri</h1>", status=400, mimetype="text/html")
    boxes = "\n".join(
        f'<label><input type="checkbox" name="advertiser_id" value="{aid}" checked>'
        f' {escape(a["advertiser_name"])}</label><br>'
        for aid, a in st.advertisers.items())
    return Response(AUTH_PAGE.format(app_id=escape(app_id), state=escape(request.args.get("state", "")),
                                     redirect_uri=escape(redirect_uri), advertisers=boxes), mimetype="text/html")


@bp.post("/portal/auth")
def authorize_submit():
    """Issue a single-use auth code and send the browser back to the redirect URI."""
    st = state()
    form = request.form
    app_id, redirect_uri = form.get("app_id", ""), form.get("redirect_uri", "")
    if app_id not in st.settings["apps"] or not redirect_uri:
        return Response("<h1>Invalid app_id or redirect_uri</h1>", status=400, mimetype="text/html")
    with st.lock:
        chosen = [a for a in form.getlist("advertiser_id") if a in st.advertisers] or list(st.advertisers)
        code = st.new_secret()
        st.auth_codes[code] = {"app_id": app_id, "advertiser_ids": chosen, "created": st.now(), "used": False}
        extra = {"auth_code": code, "state": form.get("state", "")}
        if st.settings["callback_sends_code_too"]:
            extra["code"] = code
    return redirect(_with_query(redirect_uri, extra), code=302)


def _check_app(values: dict) -> str:
    require(values, "app_id", "secret")
    app_id = str(values["app_id"])
    if state().settings["apps"].get(app_id) != values["secret"]:
        raise ApiError(40101, "The app_id and secret do not match.")
    return app_id


@bp.post("/open_api/v1.3/oauth2/access_token/")
def access_token():
    """Exchange an auth code for a long-lived advertiser token."""
    values = params()
    app_id = _check_app(values)
    require(values, "auth_code")
    st = state()
    with st.lock:
        grant = st.auth_codes.get(values["auth_code"])
        expired = grant and st.now() - grant["created"] > st.settings["auth_code_ttl_seconds"]
        if not grant or grant["used"] or expired or grant["app_id"] != app_id:
            raise ApiError(40110, "Auth code has been cancelled, used or expired.")
        grant["used"] = True
        token = st.issue_token(app_id, grant["advertiser_ids"])
    return ok({"access_token": token["access_token"], "advertiser_ids": token["advertiser_ids"],
               "scope": token["scope"]})


@bp.post("/open_api/v1.3/oauth2/revoke_token/")
def revoke_token():
    """Invalidate a token; answers with the advertisers it covered."""
    values = params()
    app_id = _check_app(values)
    require(values, "access_token")
    st = state()
    with st.lock:
        token = st.tokens.get(values["access_token"])
        if not token or token["app_id"] != app_id:
            raise ApiError(40105, "Access token is incorrect or has been revoked.")
        token["revoked"] = True
        return ok({"app_id": app_id, "advertiser_ids": token["advertiser_ids"]})


@bp.get("/open_api/v1.3/oauth2/advertiser/get/")
def advertiser_get():
    """The advertisers the token may act for."""
    values = params()
    app_id = _check_app(values)
    if g.token["app_id"] != app_id:
        raise ApiError(40106, "The access token does not belong to this app.")
    st = state()
    with st.lock:
        items = [{"advertiser_id": a, "advertiser_name": st.advertisers[a]["advertiser_name"]}
                 for a in g.token["advertiser_ids"]]
    return ok({"list": items})


@bp.get("/open_api/v1.3/user/info/")
def user_info():
    """The token owner's profile; also the cheapest authenticated call."""
    return ok({"display_name": "Emulator User", "email": "", "core_user_id": "7999999999999999999"})


@bp.get("/open_api/v1.3/bc/get/")
def bc_get():
    """Business Centers reachable with the token (page_size 1-50)."""
    values = params()
    st = state()
    with st.lock:
        items = [{"bc_info": dict(bc), "user_role": "ADMIN"} for bc in st.business_centers.values()]
    chunk, info = paginate(items, values, max_page_size=50)
    return ok({"list": chunk, "page_info": info})


def check_advertiser(advertiser_id) -> str:
    """The advertiser id, if the token may act for it (else 40106)."""
    if not advertiser_id:
        raise ApiError(40002, "advertiser_id: Missing data for required field.")
    advertiser_id = str(advertiser_id)
    if advertiser_id not in g.token["advertiser_ids"]:
        raise ApiError(40106, f"Advertiser {advertiser_id} does not match the access token.")
    return advertiser_id


@bp.get("/open_api/v1.3/advertiser/info/")
def advertiser_info():
    """Details of advertiser accounts the token may act for (name, currency, timezone...)."""
    values = params()
    ids = values.get("advertiser_ids")
    if not isinstance(ids, list) or not ids:
        raise ApiError(40002, "advertiser_ids: Missing data for required field.")
    if len(ids) > 100:
        raise ApiError(40002, "advertiser_ids: Length must be between 1 and 100.")
    st = state()
    with st.lock:
        items = []
        for advertiser_id in map(check_advertiser, ids):
            account = st.advertisers[advertiser_id]
            item = {"advertiser_id": advertiser_id, "name": account["advertiser_name"],
                    "currency": account["currency"], "timezone": account["timezone"], "status": "STATUS_ENABLE"}
            wanted = values.get("fields")
            items.append({k: v for k, v in item.items() if not wanted or k == "advertiser_id" or k in wanted})
    return ok({"list": items})


@bp.get("/open_api/v1.3/pixel/list/")
def pixel_list():
    """The advertiser's pixels (page_size 1-20), filtered by ``code`` (and ``pixel_id``).

    Rules and sources: the filter is ``code`` (SDK MeasurementApi.md pixel_list; BUBUBA
    model/pixel/list.go; WOO get_pixels); any other name, ``pixel_code`` included, is ignored as
    TikTok ignores unknown parameters. page_size 1-20 (BUBUBA list.go).
    """
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    st = state()
    with st.lock:
        pixels = [dict(p) for p in st.pixels.values() if p["advertiser_id"] == advertiser_id
                  and (not values.get("code") or p["pixel_code"] == values["code"])
                  and (not values.get("pixel_id") or p["pixel_id"] == str(values["pixel_id"]))]
    chunk, info = paginate(pixels, values, max_page_size=20)
    return ok({"pixels": chunk, "page_info": info})


@bp.post("/open_api/v1.3/pixel/create/")
def pixel_create():
    """Create a web pixel."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "pixel_name")
    st = state()
    with st.lock:
        pixel = st.add_pixel(advertiser_id, str(values["pixel_name"])[:128])
    return ok({"pixel_id": pixel["pixel_id"], "pixel_code": pixel["pixel_code"], "pixel_name": pixel["pixel_name"]})


