"""Checks every request passes before a view sees it.

A NUL character has no place in any text a person types, and PostgreSQL refuses to store or
even compare one ("text fields cannot contain NUL"): a request carrying one in its query
string, form fields or JSON body is answered with a clear 400 before it reaches a query.
Uploaded files are not looked at; their bytes are theirs. The address itself is left to the
routes: an id converter does not match a NUL, and a token that holds one is simply unknown
(404).
"""

from collections.abc import Iterator

from flask import render_template, request

NUL = "\x00"
MAX_JSON_DEPTH = 50


def refuse_nul_characters():
    """`before_request`: a 400 page when any text of the request holds a NUL character."""
    if any(NUL in text for text in _texts_of_the_request()):
        return render_template("errors/invalid_characters.html"), 400
    return None


def _texts_of_the_request() -> Iterator[str]:
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            yield key
            yield value
    elif request.is_json:
        yield from _strings_in(request.get_json(silent=True), 0)


def _strings_in(value: object, depth: int) -> Iterator[str]:
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings_in(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item, depth + 1)
