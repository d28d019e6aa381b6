"""Words as the search reads them: German stems, what a query asks for, marked snippets."""

import pytest

from eventsys.search import engines
from eventsys.search.text import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    marked,
    parse_query,
    plain_text,
    stem,
    stems_of,
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Datenstrategie", "Datenstrategien"),
        ("Kommune", "Kommunen"),
        ("Stadt", "Städte"),
        ("Bürgerin", "Bürgerinnen"),
        ("Straße", "Strassen"),
    ],
)
def test_word_forms_share_a_stem(one, other):
    assert stem(one) == stem(other)


def test_the_index_holds_stems_without_stop_words():
    assert stems_of("Die Kommunen und ihre Datenstrategien") == "kommun datenstrategi"


def test_markdown_is_indexed_as_its_words():
    assert plain_text("## Stand\n\nDie **Datenstrategie** der [Stadt](https://example.org)") == (
        "Stand\nDie Datenstrategie der Stadt"
    )


def test_a_query_has_words_phrases_and_exclusions():
    query = parse_query('Datenstrategie "offene Daten" -Verkehr')
    assert query.words == ("Datenstrategie",)
    assert query.phrases == (("offene", "Daten"),)
    assert query.excluded == ("Verkehr",)
    assert engines.fts5_query(query) == '("datenstrategi" "off dat") NOT "verkehr"'
    assert engines.websearch_text(query) == '"Datenstrategie" "offene Daten" -"Verkehr"'


@pytest.mark.parametrize(
    "typed",
    ['"', '""', "*", "-", ":", "NEAR(a b)", 'Daten" OR "', "^Kommune", "a:b*", "\x00", "(((", "–"],
)
def test_nothing_typed_is_syntax(typed):
    query = parse_query(typed)
    expression = engines.fts5_query(query) if not query.is_empty else ""
    assert all(part.startswith('"') or part in ("(", ")", "NOT") for part in _parts(expression))


def _parts(expression: str) -> list[str]:
    return [part for part in expression.replace("(", " ( ").replace(")", " ) ").split() if part]


def test_common_words_alone_are_not_searched():
    query = parse_query("und die")
    assert query.is_empty and query.only_stop_words


def test_a_long_query_is_shortened():
    query = parse_query("Kommune " * 100)
    assert len(query.text) <= MAX_QUERY_LENGTH and query.shortened
    many = parse_query(" ".join(f"Wort{n}" for n in range(30)))
    assert len(many.words) == MAX_QUERY_WORDS and many.shortened


def test_marking_escapes_the_text_and_marks_the_forms_found():
    html = marked(
        '<script>alert("x")</script> Kommunen & die Kommune', parse_query("kommune").stems
    )
    assert str(html) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>Kommunen</mark> &amp; die "
        "<mark>Kommune</mark>"
    )


def test_a_long_text_is_cut_around_the_first_word_found():
    text = "Einleitung " * 100 + "Die Datenstrategie der Stadt. " + "Ausblick " * 100
    html = str(marked(text, parse_query("Datenstrategien").stems, length=120))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>Datenstrategie</mark>" in html
    assert len(html) < 220
