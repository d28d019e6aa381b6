"""Which host the links in mail point to: ours, never the one a request claims.

A request's Host header (and X-Forwarded-Host, where a proxy passes it on) is chosen by whoever
sends the request. A password reset requested with ``Host: evil.example`` would otherwise mail
the account's owner a link to the attacker's site, with a valid token in it. So links in mail
are built

1. from SERVER_NAME when it is set (Flask builds every external URL for it, in a request too);
2. otherwise from the request's own address, but only if its host is one of TRUSTED_HOSTS
   (Flask already answers 400 to a request for any other host, before a view runs);
3. otherwise not at all: the mail is refused (`LinkHostUnknown`), and staff see a page that
   says what to configure. Nothing of the change that would have sent it is saved.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import SecurityError, ServiceUnavailable
from werkzeug.sansio.utils import host_is_trusted

from eventsys.extensions import db


class LinkHostUnknown(ServiceUnavailable):
    """Mail with links cannot be written: neither SERVER_NAME nor TRUSTED_HOSTS names the
    site's public address (or the address at hand is not among them)."""

    description = _l(
        "No mail was sent and nothing was saved: this server does not know its public "
        "address, so it cannot put links into mail. An administrator must set SERVER_NAME "
        "(or TRUSTED_HOSTS) in the configuration."
    )


def trusted_hosts() -> list[str]:
    """The hosts named by TRUSTED_HOSTS (one name or a list); empty if it is not set."""
    hosts = current_app.config.get("TRUSTED_HOSTS") or []
    return [hosts] if isinstance(hosts, str) else list(hosts)


def is_trusted_host(host: str) -> bool:
    """Whether `host` (``name`` or ``name:port``) is one of TRUSTED_HOSTS. With none set,
    nothing is trusted (where Flask would take every host)."""
    hosts = trusted_hosts()
    return bool(hosts) and host_is_trusted(host, hosts)


def link_base_of_request() -> str | None:
    """The address links in mail queued now are built for, to keep with the message.

    None where SERVER_NAME is set (links are built for it) or outside a request; the request's
    own root URL where its host is trusted. Raises LinkHostUnknown otherwise.
    """
    if current_app.config.get("SERVER_NAME") or not has_request_context():
        return None
    if not is_trusted_host(request.host):
        raise LinkHostUnknown()
    return request.url_root


def require_link_host() -> None:
    """Raise LinkHostUnknown if mail written now could not carry links to our own host."""
    link_base_of_request()


def check_stored_link_base(link_base: str) -> None:
    """Raise LinkHostUnknown unless `link_base`, kept with a message when it was queued, has a
    host that TRUSTED_HOSTS still names (a message queued before the check, or changed since,
    must not carry links elsewhere)."""
    parts = urlsplit(link_base)
    if parts.scheme not in ("http", "https") or not is_trusted_host(parts.netloc):
        raise LinkHostUnknown()


def register_error_page(app: Flask) -> None:
    """Show staff what to configure when mail was refused for want of a host; answer a request
    for a host outside TRUSTED_HOSTS with a plain 400."""

    @app.errorhandler(LinkHostUnknown)
    def link_host_unknown(error: LinkHostUnknown):
        # The change that would have sent the mail must not be committed without it.
        db.session.rollback()
        return render_template("outbox/link_host_unknown.html", error=error), error.code

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # No page in the site's look: without a trusted host Flask has no URL adapter, so no
        # link (not even to the style sheet) can be built for one.
        return (
            "Bad Request: this site does not answer under that host name.\n",
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
