"""Attempts to read local files or reach servers while a PDF is rendered.

First straight into the renderer, as if a template forgot to escape: the fetcher alone must stop
every read. Then through the whole chain a user's text takes (Markdown, sanitiser, template,
renderer), where the sanitiser already removes the attempt.
"""

import base64
import logging
from html.parser import HTMLParser

import pytest

from eventsys.markup import render_markdown
from eventsys.pdf import PdfRenderingError, render_pdf
from tests.pdf.conftest import PASSWD_MARKER, SECRET_MARKER, TRAP_MARKER
from tests.pdf.pdf_contents import embedded_files, everything_readable, reader

DATA_MARKER = "DATA-URL-MARKER-5c0e"
SVG_WITH_TEXT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">'
    f'<text x="0" y="30" font-size="20">{DATA_MARKER}</text></svg>'
)
SVG_DATA_URL = "data:image/svg+xml;base64," + base64.b64encode(SVG_WITH_TEXT.encode()).decode()
TEXT_DATA_URL = "data:text/plain;base64," + base64.b64encode(DATA_MARKER.encode()).decode()
# A 1×1 PNG: any image in the PDF would show the data: URL got through.
PNG_DATA_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# Each attack names {secret}, {trap} (the recording HTTP server) or a data: URL. Those marked
# True make WeasyPrint ask the fetcher, which must refuse; the others WeasyPrint never loads.
HOSTILE_HTML = {
    "img file": ('<img src="file:///etc/passwd"><img src="{secret}">', True),
    "img http": ('<img src="{trap}/image.png">', True),
    "link attachment": (
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="attachment" href="{secret}">'
        '<link rel="attachment" href="{trap}/attachment.txt">',
        True,
    ),
    "a attachment": (
        '<a rel="attachment" href="{secret}">secret</a>'
        '<a rel="attachment" href="{trap}/a.txt">trap</a>',
        True,
    ),
    "link stylesheet": ('<link rel="stylesheet" href="{trap}/style.css">', True),
    "style import": ('<style>@import url("{trap}/import.css");</style>', True),
    "style url": (
        '<style>body {{ background: url("{trap}/bg.png") }} '
        'ul {{ list-style-image: url("{secret}") }} '
        'p::before {{ content: url("{trap}/before.png") }}</style><ul><li>x</li></ul><p>x</p>',
        True,
    ),
    "style attribute": (
        "<p style=\"background-image: url('{trap}/attribute.png')\">x</p>"
        "<p style=\"background-image: url('file:///etc/passwd')\">y</p>",
        True,
    ),
    "font face": (
        '<style>@font-face {{ font-family: Trap; src: url("{trap}/font.woff2") }} '
        "p {{ font-family: Trap }}</style><p>x</p>",
        True,
    ),
    "inline svg image": (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">'
        '<image href="{trap}/svg.png" width="10" height="10"/>'
        '<image xlink:href="{secret}" width="10" height="10"/>'
        f'<image href="{SVG_DATA_URL}" width="10" height="10"/>'
        '<use href="{trap}/sprite.svg#icon"/></svg>',
        True,
    ),
    "data svg image": (f'<img src="{SVG_DATA_URL}">', True),
    "data png image": (f'<img src="{PNG_DATA_URL}">', True),
    "data attachment": (f'<link rel="attachment" href="{TEXT_DATA_URL}">', True),
    "object and embed": (
        '<object data="{trap}/object.svg" type="image/svg+xml">fallback</object>'
        '<embed src="{secret}" type="image/svg+xml">',
        True,
    ),
    "iframe": ('<iframe src="{trap}/frame.html"></iframe><iframe src="{secret}"></iframe>', False),
    "base element": ('<base href="file:///etc/"><img src="passwd">', True),
    "asset traversal": (
        '<img src="asset:../../../../../etc/passwd">'
        '<img src="asset:%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">'
        '<img src="asset:/etc/passwd"><img src="../../../../../etc/passwd">',
        True,
    ),
}


def hostile_document(body: str) -> str:
    head = '<!doctype html><html lang="de"><head><title>Angriff</title></head>'
    return f"{head}<body>{body}</body></html>"


def assert_nothing_leaked(pdf: bytes, trap) -> None:
    contents = everything_readable(pdf)
    for marker in (PASSWD_MARKER, SECRET_MARKER, TRAP_MARKER, DATA_MARKER):
        assert marker not in contents
    assert trap.requests == []


@pytest.mark.parametrize("attack", HOSTILE_HTML)
def test_the_fetcher_alone_stops_hostile_html(attack, http_trap, secret_file, caplog):
    template, asks_fetcher = HOSTILE_HTML[attack]
    body = template.format(trap=http_trap.url, secret=secret_file.as_uri())

    with caplog.at_level(logging.WARNING, logger="eventsys.pdf.fetcher"):
        pdf = render_pdf(hostile_document(body))

    assert_nothing_leaked(pdf, http_trap)
    refusals = [record for record in caplog.records if record.name == "eventsys.pdf.fetcher"]
    if asks_fetcher:
        assert refusals, "the fetcher was not asked; the attack did not test it"
    assert embedded_files(pdf) == {}
    assert all(not page.images for page in reader(pdf).pages)


def test_a_data_url_is_refused_by_the_fetcher(caplog):
    with caplog.at_level(logging.WARNING, logger="eventsys.pdf.fetcher"):
        render_pdf(hostile_document(f'<img src="{SVG_DATA_URL}">'))

    assert "Refused to fetch 'data:image/svg+xml" in caplog.text


def test_a_refused_colour_profile_stops_the_rendering(secret_file, http_trap):
    # WeasyPrint does not catch a failed @color-profile download, unlike every other resource;
    # refusing must still read nothing, and the caller gets our own error.
    body = f'<style>@color-profile --x {{ src: url("{secret_file.as_uri()}") }}</style>'

    with pytest.raises(PdfRenderingError):
        render_pdf(hostile_document(body))


MARKDOWN_ATTACKS = [
    '<img src="file:///etc/passwd">',
    '<img src="{trap}/image.png">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<link rel="stylesheet" href="{trap}/style.css">',
    '<style>body {{ background: url("{trap}/bg.png") }}</style>',
    "<p style=\"background: url('{trap}/inline.png')\">x</p>",
    '<svg><image href="{trap}/svg.png"/></svg>',
    f'<img src="{SVG_DATA_URL}">',
    '<iframe src="{trap}/frame"></iframe><object data="{trap}/o"></object><embed src="{secret}">',
    "![passwd](file:///etc/passwd)",
    "![trap]({trap}/image.png)",
    f"![svg]({SVG_DATA_URL})",
    f"![png]({PNG_DATA_URL})",
    "[attachment]({secret})",
    f"[data]({TEXT_DATA_URL})",
    "[script](javascript:alert(1))",
    "<{trap}/autolink.png>",
]


class ElementsAndAttributes(HTMLParser):
    """The real elements and attributes in HTML (escaped text is neither)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


@pytest.mark.parametrize("attack", MARKDOWN_ATTACKS)
def test_user_markdown_cannot_load_anything(attack, http_trap, secret_file, caplog):
    source = attack.format(trap=http_trap.url, secret=secret_file.as_uri())

    fragment = str(render_markdown(f"Vorher\n\n{source}\n\nNachher"))
    with caplog.at_level(logging.WARNING, logger="eventsys.pdf.fetcher"):
        pdf = render_pdf(hostile_document(f"<h1>Protokoll</h1>{fragment}"))

    elements = ElementsAndAttributes()
    elements.feed(fragment)
    assert elements.tags <= {"p", "a", "br"}
    assert {name for name, _ in elements.attributes} <= {"href", "rel"}
    assert all(
        value.startswith(("http://", "https://")) or name == "rel"
        for name, value in elements.attributes
    )
    assert_nothing_leaked(pdf, http_trap)
    assert embedded_files(pdf) == {}
    assert all(not page.images for page in reader(pdf).pages)
    # The sanitiser removed the attempt before the renderer could ask for anything.
    assert not [record for record in caplog.records if record.name == "eventsys.pdf.fetcher"]
