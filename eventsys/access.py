"""Who may open which route.

Every view declares its audience with `@roles_required(...)` or `@public`; the declaration is kept
on the view function so that tests can walk the URL map and request every route as every role.
A view without a declaration is refused for everyone (see `enforce_declared_access`).
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from eventsys.roles import Role

View = TypeVar("View", bound=Callable)

ALL_STAFF = (Role.ADMIN, Role.ORGANISER, Role.SECRETARIAT)
PLANNERS = (Role.ADMIN, Role.ORGANISER)


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Allow a view to signed-in users holding one of `roles`; others get 403, anonymous a login."""
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone, signed in or not (login, password reset, signed links)."""
    view.allowed_roles = None
    return view


def enforce_declared_access() -> None:
    """Refuse any route whose view forgot to declare its audience (before_request hook)."""
    if request.endpoint is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and not hasattr(view, "allowed_roles"):
        abort(403)
