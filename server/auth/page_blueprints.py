"""Blueprints for HTML pages: errors as pages (not JSON), sign-in redirects, security headers.

Every admin feature builds its blueprint with ``page_blueprint`` so that a missing store is a 404
page, a member's attempt to change a store a 403 page, and an anonymous visitor is sent to sign in.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from server.auth.csrf import CSRFError
from server.auth.errors import Unauthorized
from server.errors import AppError

# No inline script or style anywhere in the admin, so the policy can stay this strict.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
EXPIRED_FORM = ("This form has expired or did not come from this site. Go back, reload the page and "
                "send it again.")


def page_blueprint(name, import_name, **options):
    """A Blueprint whose views render HTML pages, with the admin's error pages and headers."""
    bp = Blueprint(name, import_name, **options)
    bp.register_error_handler(Unauthorized, _to_sign_in)
    bp.register_error_handler(CSRFError, _expired_form)
    bp.register_error_handler(AppError, _error_page)
    bp.after_request(_security_headers)
    return bp


def render_page(template, status=200, **context):
    """Render a template as a response with the given status."""
    return render_template(template, **context), status


def allow_form_to(rendered, url):
    """A rendered page whose form may answer with a redirect to ``url``'s host (an OAuth consent page),
    which the strict ``form-action 'self'`` would block; returns a response."""
    body, code = rendered
    target = urlsplit(url)
    response = current_app.make_response((body, code))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}")
    return response


def _to_sign_in(error):
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("account.signin", next=target) if target else url_for("account.signin"))


def _expired_form(error):
    return render_page("error.html", 400, title="Form expired", message=EXPIRED_FORM)


def _error_page(error):
    titles = {403: "Not allowed", 404: "Not found", 422: "Check the form", 429: "Too many attempts"}
    return render_page("error.html", error.status, title=titles.get(error.status, "Something is wrong"),
                       message=error.message)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Pages show private settings and, once, new API keys: no cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response
