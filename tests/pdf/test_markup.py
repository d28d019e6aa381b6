"""Markdown to sanitised HTML: what users may write, what is removed, and the limits."""

import pytest
from flask import render_template_string
from markupsafe import Markup

from eventsys.markup import (
    MAX_MARKDOWN_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_WORD_LENGTH,
    MarkdownRejected,
    MarkdownTooDeep,
    MarkdownTooLong,
    MarkdownWordTooLong,
    init_app,
    render_markdown,
)


def test_lists_and_emphasis_are_kept():
    html = render_markdown("- *eins*\n- **zwei**\n\n1. erstens\n2. ~~zweitens~~")

    assert "<ul>\n<li><em>eins</em></li>\n<li><strong>zwei</strong></li>\n</ul>" in html
    assert "<ol>\n<li>erstens</li>\n<li><s>zweitens</s></li>\n</ol>" in html


def test_an_ordered_list_keeps_its_start_number():
    assert '<ol start="3">' in render_markdown("3. drei\n4. vier")


def test_links_keep_http_https_and_mailto_and_open_safely():
    html = render_markdown(
        "[Bericht](https://example.org/bericht) [alt](http://example.org) "
        "[Mail](mailto:sekretariat@example.org) <https://example.org/auto>"
    )

    assert '<a href="https://example.org/bericht" rel="noopener noreferrer">Bericht</a>' in html
    assert '<a href="http://example.org" rel="noopener noreferrer">alt</a>' in html
    assert '<a href="mailto:sekretariat@example.org" rel="noopener noreferrer">Mail</a>' in html
    assert 'href="https://example.org/auto"' in html


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "vbscript:msgbox",
        "relative/path",
        "/absolute/path",
        "//example.org/protocol-relative",
        "#fragment",
    ],
)
def test_other_link_targets_lose_the_target_but_keep_the_text(target):
    html = render_markdown(f"[Klick]({target})")

    assert "Klick" in html
    assert "href" not in html


def test_headings_move_down_two_levels():
    html = render_markdown("# Eins\n## Zwei\n### Drei\n#### Vier\n###### Sechs")

    assert "<h3>Eins</h3>" in html
    assert "<h4>Zwei</h4>" in html
    assert "<h5>Drei</h5>" in html
    assert "<h6>Vier</h6>" in html
    assert "<h6>Sechs</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_quotes_code_tables_and_line_breaks():
    html = render_markdown(
        "> zitiert\n\n`code` und\nneue Zeile\n\n```python\nprint(1)\n```\n\n"
        "| A | B |\n|:--|--:|\n| 1 | 2 |"
    )

    assert "<blockquote>\n<p>zitiert</p>\n</blockquote>" in html
    assert "<code>code</code> und<br>\nneue Zeile" in html
    assert "<pre><code>print(1)\n</code></pre>" in html
    assert "<th>A</th>" in html and "<td>2</td>" in html
    # Column alignment arrives as a style attribute, which is not allowed.
    assert "style" not in html
    assert "class" not in html


def test_raw_html_is_shown_as_text_not_interpreted():
    html = render_markdown(
        "<script>alert(1)</script> <b>fett</b> <img src=x onerror=alert(1)> <!-- versteckt -->"
    )

    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    assert "&lt;!-- versteckt --&gt;" in html


def test_an_html_block_is_shown_as_text_too():
    html = render_markdown('<div style="color:red">\n<style>p{}</style>\n<iframe src="x">\n</div>')

    for element in ("<div", "<style", "<iframe"):
        assert element not in html
    assert "&lt;iframe src=&quot;x&quot;&gt;" in html or '&lt;iframe src="x"&gt;' in html


def test_images_become_links_and_never_img():
    html = render_markdown("![Grafik](https://example.org/grafik.png) ![lokal](file:///etc/x)")

    assert "<img" not in html
    assert '<a href="https://example.org/grafik.png" rel="noopener noreferrer">Grafik</a>' in html
    assert "file:" not in html.replace("](file:", "")


def test_returns_markup_so_templates_do_not_escape_it_again():
    html = render_markdown("*a* & b")

    assert isinstance(html, Markup)
    assert html == Markup("<p><em>a</em> &amp; b</p>\n")


@pytest.mark.parametrize("empty", [None, ""])
def test_nothing_renders_to_nothing(empty):
    assert render_markdown(empty) == Markup("")


def test_text_at_the_length_limit_is_accepted():
    text = ("Wort " * MAX_MARKDOWN_LENGTH)[:MAX_MARKDOWN_LENGTH]

    assert render_markdown(text).startswith("<p>Wort Wort")


def test_longer_text_is_refused():
    with pytest.raises(MarkdownTooLong, match=str(MAX_MARKDOWN_LENGTH)):
        render_markdown("a" * (MAX_MARKDOWN_LENGTH + 1))


def test_the_limits_are_value_errors_for_forms():
    assert issubclass(MarkdownTooLong, MarkdownRejected)
    assert issubclass(MarkdownTooDeep, MarkdownRejected)
    assert issubclass(MarkdownWordTooLong, MarkdownRejected)
    assert issubclass(MarkdownRejected, ValueError)


def test_a_long_url_is_a_word_that_fits():
    url = "https://example.org/" + "a" * 900
    assert url in render_markdown(f"Siehe [Quelle]({url}).")


@pytest.mark.parametrize(
    "text",
    [
        "x" * (MAX_WORD_LENGTH + 1),
        "*a*" * 400,
        # A no-break space does not let the renderer break a line either.
        "*a*\u00a0" * 300,
    ],
)
def test_an_overlong_word_is_refused(text):
    with pytest.raises(MarkdownWordTooLong):
        render_markdown(text)


def nested_list(levels: int) -> str:
    return "".join("  " * level + "- Punkt\n" for level in range(levels))


def test_ordinary_nesting_is_fine():
    html = render_markdown(nested_list(6) + "\n> > zitiert *mit **Betonung***")

    assert html.count("<ul>") == 6


@pytest.mark.parametrize(
    "text",
    [
        nested_list(MAX_NESTING_DEPTH),
        ">" * 900 + " tief",
        "> " * 40 + "tief",
        nested_list(3_000)[:MAX_MARKDOWN_LENGTH],
        "*" * 400 + "a" + "*" * 400,
    ],
)
def test_deep_nesting_is_refused_not_truncated(text):
    with pytest.raises(MarkdownTooDeep):
        render_markdown(text)


def test_the_template_filter(app):
    init_app(app)

    with app.test_request_context():
        rendered = render_template_string(
            "{{ text|markdown }}|{{ nothing|markdown }}", text="**fett** <i>", nothing=None
        )

    assert rendered == "<p><strong>fett</strong> &lt;i&gt;</p>\n|"
