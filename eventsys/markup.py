"""Markdown that users write (minutes, notes), turned into HTML that is safe to show in pages and
to print into PDFs.

The parser is markdown-it-py (CommonMark), not Python-Markdown: Python-Markdown takes time
quadratic in the input for some texts (50,000 `[` characters take minutes), while markdown-it-py
stays linear and caps block nesting itself.

What users get, and why:
- Raw HTML in the source is not interpreted but shown as the text the user typed (escaped), so
  nothing they wrote silently disappears and nothing they wrote becomes markup.
- Headings move down two levels (`#` becomes `<h3>`): the page or document around the text owns
  `<h1>` and `<h2>`.
- Images are not supported: `![alt](url)` shows as `!` and a link, so a PDF never loads a picture
  from wherever a user points.
- A line break in the source is a line break in the output, as people typing minutes expect.
- Links keep only http, https and mailto targets; every other link loses its target but keeps its
  text.
- Texts are refused when they are longer than `MAX_MARKDOWN_LENGTH` characters, nest deeper
  than `MAX_NESTING_DEPTH` elements (the PDF renderer runs out of stack at about 130), or have a
  run of more than `MAX_WORD_LENGTH` characters without a space: the PDF renderer's time grows
  with the square of the number of elements in a line it cannot break (50,000 characters of
  `*a*a*a…` take minutes). Within these limits the slowest text we found, 25,000 one-word
  lines (some 450 pages), takes about 40 seconds to print; ordinary texts well under one.
"""

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import nh3
from flask import Flask
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

#: The longest Markdown text (in characters) accepted; forms use it for their length check.
MAX_MARKDOWN_LENGTH = 50_000

#: How deeply elements in the rendered text may nest (lists in quotes in lists, emphasis in
#: emphasis …). Real texts stay far below; the PDF renderer fails at about 130 levels.
MAX_NESTING_DEPTH = 16

#: The longest run of characters without an ASCII space, tab or line break; long enough for any
#: sensible URL.
MAX_WORD_LENGTH = 1_000

_HEADING_SHIFT = 2
# Only ASCII whitespace counts: a no-break space does not let the renderer break the line.
_OVERLONG_WORD = re.compile(rf"[^ \t\n\r\f\v]{{{MAX_WORD_LENGTH + 1},}}")

_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "h3", "h4", "h5", "h6", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

_parser = (
    MarkdownIt(
        "commonmark",
        {
            "html": False,
            "breaks": True,
            # Beyond this the parser drops the rest of the text; one level more than we accept
            # means a text it would truncate is refused instead.
            "maxNesting": MAX_NESTING_DEPTH + 1,
        },
    )
    .enable(["table", "strikethrough"])
    .disable("image")
)


class MarkdownRejected(ValueError):
    """The text cannot be rendered; the message says why."""


class MarkdownTooLong(MarkdownRejected):
    """The text has more than `MAX_MARKDOWN_LENGTH` characters."""


class MarkdownTooDeep(MarkdownRejected):
    """The text nests elements more than `MAX_NESTING_DEPTH` deep."""


class MarkdownWordTooLong(MarkdownRejected):
    """The text has a run of more than `MAX_WORD_LENGTH` characters without a space."""


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML; None and the empty string give empty markup.

    Raises MarkdownTooLong, MarkdownWordTooLong or MarkdownTooDeep (all MarkdownRejected, a
    ValueError).
    """
    if not text:
        return Markup("")
    if len(text) > MAX_MARKDOWN_LENGTH:
        raise MarkdownTooLong(
            f"Markdown text has {len(text)} characters; at most {MAX_MARKDOWN_LENGTH} are allowed"
        )
    if _OVERLONG_WORD.search(text):
        raise MarkdownWordTooLong(
            f"Markdown text has a word longer than {MAX_WORD_LENGTH} characters"
        )
    tokens = _parser.parse(text)
    depth = _nesting_depth(tokens)
    if depth > MAX_NESTING_DEPTH:
        raise MarkdownTooDeep(
            f"Markdown text nests {depth} levels deep; at most {MAX_NESTING_DEPTH} are allowed"
        )
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + _HEADING_SHIFT, 6)
            token.tag = f"h{level}"
    html = _parser.renderer.render(tokens, _parser.options, {})
    return Markup(
        nh3.clean(
            html,
            tags=set(_ALLOWED_TAGS),
            attributes=_ALLOWED_ATTRIBUTES,
            attribute_filter=_keep_safe_attribute,
            url_schemes=set(_LINK_SCHEMES),
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )


def markdown_problem(text: str | None) -> str | None:
    """Why `text` would be refused by `render_markdown`, in the user's language; None when it
    renders."""
    try:
        render_markdown(text)
    except MarkdownTooLong:
        return _(
            "This text is too long: at most %(count)d characters are allowed.",
            count=MAX_MARKDOWN_LENGTH,
        )
    except MarkdownWordTooLong:
        return _(
            "This text has a word of more than %(count)d characters without a space. "
            "Please add spaces or shorten it.",
            count=MAX_WORD_LENGTH,
        )
    except MarkdownTooDeep:
        return _(
            "This text nests lists or quotes more than %(count)d levels deep. Please simplify it.",
            count=MAX_NESTING_DEPTH,
        )
    return None


def _nesting_depth(tokens: Sequence[Token]) -> int:
    """The deepest element nesting the tokens render to, inline children included."""
    deepest = depth = 0
    for token in tokens:
        depth += token.nesting
        deepest = max(deepest, depth)
        if token.children:
            deepest = max(deepest, depth + _nesting_depth(token.children))
    return deepest


def _keep_safe_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 checks schemes only on absolute URLs; a relative link would resolve against whatever
    # base the page or PDF has, so links must name one of our schemes explicitly.
    if attribute == "href":
        try:
            scheme = urlsplit(value.strip()).scheme.lower()
        except ValueError:
            return None
        return value if scheme in _LINK_SCHEMES else None
    return value


def init_app(app: Flask) -> None:
    """Register the `markdown` template filter: `{{ text|markdown }}`."""
    app.jinja_env.filters["markdown"] = render_markdown
