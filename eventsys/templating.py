"""Template helpers that are not about language or dates."""

from urllib.parse import urlencode

from flask import Flask, request


def modify_query(**changes: object) -> str:
    """The current path with some query arguments replaced (None removes one); for paging."""
    arguments = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            arguments.pop(name, None)
        else:
            arguments[name] = [str(value)]
    query = urlencode(arguments, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["modify_query"] = modify_query
