"""A NUL character anywhere in a request's text is refused with a clear page, before any query
(PostgreSQL cannot store or compare one)."""

import pytest

from tests.conftest import page_text

MESSAGE = "Die Anfrage enthält ein unzulässiges Zeichen (ein NUL-Zeichen)."


@pytest.mark.parametrize(
    "request_arguments",
    [
        {"path": "/experts/", "query_string": {"q": "a\x00b"}},
        {"path": "/experts/", "query_string": {"q\x00": "x"}},
        {"path": "/sessions/new", "method": "POST", "data": {"title": "Plenum\x00"}},
        {"path": "/login", "method": "POST", "data": {"email": "\x00@example.org"}},
        {"path": "/login", "method": "POST", "json": {"nested": [{"deep": "x\x00"}]}},
    ],
    ids=["query value", "query name", "form", "sign-in form", "json"],
)
def test_a_nul_character_is_refused_politely(admin_client, request_arguments):
    arguments = dict(request_arguments)
    response = admin_client.open(arguments.pop("path"), **arguments)
    assert response.status_code == 400
    assert MESSAGE in page_text(response)


def test_ordinary_text_passes(admin_client):
    response = admin_client.get("/experts/", query_string={"q": "Köln – „Stadt“ \t"})
    assert response.status_code == 200
