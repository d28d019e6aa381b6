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


class PageLinks:
    """What templates/macros/pagination.html reads of a page that db.paginate() did not make:
    the class gives `page` and `pages`, the rest follows from them."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["modify_query"] = modify_query
