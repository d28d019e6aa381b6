"""Words as the search sees them: German stems, the words a query asks for, and the text of a
result with the words found marked.

Both databases match German word forms ("Datenstrategie" finds "Datenstrategien", "Kommune"
finds "Kommunen"). PostgreSQL stems with its `german` configuration; SQLite's FTS5 has no German
stemmer, so the same algorithm (Snowball's German stemmer, from the `snowballstemmer` package)
is applied here to the indexed text and to the query. The marking of results uses it on both
databases, so that a page marks the same words whichever database found them.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from eventsys.search.stopwords import GERMAN_STOP_WORDS

#: The longest query searched, in characters; the rest is left out (and the page says so).
MAX_QUERY_LENGTH = 200
#: The most words (and words of phrases) a query may ask for.
MAX_QUERY_WORDS = 12
#: Longer "words" are no words anyone searches for (a URL, a pasted hash).
MAX_WORD_LENGTH = 60

# Letters and digits; everything else (also "_", as SQLite's unicode61 tokenizer has it)
# separates words.
WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')

_stemmer = snowballstemmer.stemmer("german")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The German stem of `word`, in lower case ("Kommunen" → "kommun")."""
    return _stemmer.stemWord(word.lower())


def is_stop_word(word: str) -> bool:
    return word.lower() in GERMAN_STOP_WORDS


def words_of(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if len(word) <= MAX_WORD_LENGTH]


def stems_of(text: str) -> str:
    """The stems of `text`'s words in their order, stop words left out, separated by spaces:
    what SQLite's FTS5 table indexes."""
    return " ".join(stem(word) for word in words_of(text) if not is_stop_word(word))


_markdown = MarkdownIt("commonmark")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its markup (for the index and the snippets):
    one line per paragraph or list item, links as their text, raw HTML as typed (the pages
    show it as text too)."""
    lines = []
    for token in _markdown.parse(markdown or ""):
        if token.type == "html_block":
            lines.append(token.content.strip())
        if token.type != "inline":
            continue
        parts = [
            " " if child.type in ("softbreak", "hardbreak") else child.content
            for child in token.children or []
            if child.type in ("text", "code_inline", "html_inline", "softbreak", "hardbreak")
        ]
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Query:
    """What someone searched for: words that must occur, "phrases" whose words must occur in
    that order, and -words that must not. Words are kept as typed (PostgreSQL stems them
    itself); stop words are left out, as both databases leave them out of the index."""

    text: str  # as typed, cut to MAX_QUERY_LENGTH
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    shortened: bool = False  # the text or its words were cut
    only_stop_words: bool = False  # it had words, all of them too common to be searched

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no word and no phrase (excluded words alone find nothing)."""
        return not self.words and not self.phrases

    @property
    def stems(self) -> frozenset[str]:
        """The stems of the words to be found, for marking them."""
        return frozenset(
            stem(word) for word in (*self.words, *(w for p in self.phrases for w in p))
        )


def parse_query(typed: str | None) -> Query:
    """Read a query as typed. Nothing in it is syntax for a database: quotes make a phrase (an
    unbalanced quote is ignored), a leading "-" excludes a word, and everything that is not a
    letter or a digit only separates words."""
    text = (typed or "").strip()
    shortened = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    budget = [MAX_QUERY_WORDS]
    saw_words = [False]

    def take(words: list[str]) -> list[str]:
        saw_words[0] = saw_words[0] or bool(words)
        kept = [word for word in words if not is_stop_word(word)][: budget[0]]
        budget[0] -= len(kept)
        return kept

    phrases = []
    for found in _PHRASE.findall(text):
        words = take(words_of(found))
        if len(words) > 1:
            phrases.append(tuple(words))
        elif words:
            phrases.append((words[0],))
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    words: list[str] = []
    excluded: list[str] = []
    for chunk in rest.split():
        found = words_of(chunk)
        if chunk.startswith("-") and found:
            excluded.extend(take(found))
        else:
            words.extend(take(found))
    single = tuple(dict.fromkeys(words))
    query = Query(
        text=text,
        words=single,
        phrases=tuple(dict.fromkeys(phrases)),
        excluded=tuple(dict.fromkeys(excluded)),
        shortened=shortened or budget[0] <= 0,
    )
    if query.is_empty and saw_words[0] and not query.excluded:
        return Query(text=text, shortened=shortened, only_stop_words=True)
    return query


#: Characters of a result's text shown around the first word found.
SNIPPET_LENGTH = 280


def marked(text: str, stems: frozenset[str], length: int = SNIPPET_LENGTH) -> Markup:
    """`text` (at most about `length` characters of it, around the first word found) as HTML:
    everything escaped, the words whose stem is in `stems` in <mark>."""
    matches = [
        found
        for found in WORD.finditer(text)
        if not is_stop_word(found.group()) and stem(found.group()) in stems
    ]
    start, end = 0, len(text)
    if len(text) > length:
        first = matches[0].start() if matches else 0
        start = _word_start(text, max(0, first - length // 4))
        end = _word_end(text, min(len(text), start + length))
    html = [Markup("…") if start > 0 else Markup("")]
    position = start
    for found in matches:
        if found.start() < start or found.end() > end:
            continue
        html.append(escape(text[position : found.start()]))
        html.append(Markup("<mark>%s</mark>") % found.group())
        position = found.end()
    html.append(escape(text[position:end]))
    if end < len(text):
        html.append(Markup("…"))
    return Markup("").join(html)


def _word_start(text: str, index: int) -> int:
    """`index`, moved on past the word it falls in (to the next space, if one is near)."""
    if index == 0 or not (text[index - 1].isalnum() and text[index].isalnum()):
        return index
    space = text.find(" ", index, index + 40)
    return space + 1 if space >= 0 else index


def _word_end(text: str, index: int) -> int:
    """`index`, moved back before the word it falls in (to the space before, if one is near)."""
    if index >= len(text) or not (text[index - 1].isalnum() and text[index].isalnum()):
        return index
    space = text.rfind(" ", max(0, index - 40), index)
    return space if space >= 0 else index
