"""Headers every response carries: what the browser may load, frame and send on.

The Content-Security-Policy allows scripts and styles from our own static files only, so a
script or style attribute smuggled into a page is not run. Pages opened by a signed link carry
the token in their address; they send no Referer at all, so the token never leaves the site.
"""

from flask import Flask, Response, current_app, g, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# The outbox shows a stored mail's HTML in a sandboxed frame (no scripts, no same origin). A
# frame written with srcdoc inherits this page's policy, and mail HTML is styled inline.
MAIL_PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def allow_inline_mail_styles() -> None:
    """Let this response's sandboxed mail frame keep its inline styles (scripts stay off)."""
    g.csp_mail_preview = True


def opened_by_signed_link() -> bool:
    """True for pages whose address carries a token: every public page with a `token` in its
    route, and every other public page too (login, reset), which need no Referer either."""
    if request.view_args and "token" in request.view_args:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return view is not None and getattr(view, "allowed_roles", ()) is None


def add_security_headers(response: Response) -> Response:
    """Set the security headers on `response` (an after_request hook)."""
    headers = response.headers
    policy = MAIL_PREVIEW_POLICY if g.get("csp_mail_preview") else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers["Referrer-Policy"] = (
        "no-referrer" if opened_by_signed_link() else "strict-origin-when-cross-origin"
    )
    if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
