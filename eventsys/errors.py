"""Error pages in the site's look, in the user's language."""

import logging
from typing import NoReturn

from flask import Flask, abort, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from eventsys.extensions import db

log = logging.getLogger(__name__)


def refuse_link_of_deactivated_person(contact_names: list[str] | None = None) -> NoReturn:
    """End the request with the page for a signed link whose person has left the directory:
    410 Gone, saying whom to write to, and nothing about what the link was for."""
    page = render_template("errors/link_of_deactivated_person.html", contact_names=contact_names)
    abort(Flask.response_class(page, status=410))


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        template = {403: "errors/403.html", 404: "errors/404.html", 413: "errors/413.html"}.get(
            error.code, "errors/generic.html"
        )
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Whatever went wrong, the half-done transaction must not leak into the next request.
        db.session.rollback()
        log.exception("Unhandled error")
        return render_template("errors/500.html"), 500
