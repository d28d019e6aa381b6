"""Every route, driven with hostile values in its URL, its query string and every field of
every form its page shows (Hypothesis): no 500, no traceback, whoever asks.

The form fields come from the pages themselves (each `<form>`'s inputs), so a new form is
covered without anyone listing it here. The number of examples per route is kept small, so
that the walk stays within the suite's time budget; Hypothesis' database is off (each run
starts fresh, on any machine).
"""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_in
from tests.test_access import (  # noqa: F401  (records, records_state: fixtures)
    ROUTES,
    records,
    records_state,
    route_url,
)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x00", "a\x00b", "\r\nX-Injected: 1", "=1+1", "'; DROP TABLE experts; --",
            "<script>alert(1)</script>", "../../etc/passwd", "%00", "\ufffd" * 3, "9" * 40,
            "-1", "0", "1e309", "nan",
            "x" * 70_000, "2026-02-30", "25:61", "javascript:alert(1)", "@everyone",
        ]
    ),
)  # fmt: skip
QUERY_NAMES = ["page", "q", "state", "status", "year", "next", "sort", "language", "filter"]


class FormFields(HTMLParser):
    """The action, method and field names of every form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action") or "",
                    "method": (attributes.get("method") or "get").upper(),
                    "fields": [],
                }
            )
        elif (
            tag in ("input", "textarea", "select")
            and self.forms
            and attributes.get("name") not in (None, "csrf_token")
        ):
            self.forms[-1]["fields"].append(attributes["name"])


def forms_on(html: str) -> list[dict]:
    parser = FormFields()
    parser.feed(html)
    return parser.forms


def assert_no_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype.startswith("text/"):
        assert "Traceback" not in response.get_data(as_text=True), what


GET_ROUTES = [rule for rule in ROUTES if "GET" in rule.methods]


@pytest.mark.parametrize("rule", GET_ROUTES, ids=lambda rule: rule.endpoint)
def test_hostile_values_never_cause_a_500(app, staff, records, rule):  # noqa: F811
    client = app.test_client()
    sign_in(client, staff.admin)
    url = route_url(rule, records)
    page = client.get(url)
    assert_no_error(page, f"GET {url}")
    forms = forms_on(page.get_data(as_text=True)) if page.mimetype == "text/html" else []

    @settings(
        max_examples=5,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def walk(data):
        query = {name: data.draw(HOSTILE_TEXT) for name in QUERY_NAMES}
        assert_no_error(client.get(url, query_string=query), f"GET {url} {query!r}")
        for form in forms:
            target = form["action"] or url
            if target.startswith(("http", "//")) or re.match(r"^/(logout|language)$", target):
                continue  # another site, or ending this client's session
            values = {name: data.draw(HOSTILE_TEXT) for name in form["fields"]}
            if form["method"] == "POST":
                response = client.post(target, data=values)
            else:
                response = client.get(target, query_string=values)
            assert_no_error(response, f"{form['method']} {target} {values!r}")

    walk()
