"""The search box, sent by GET."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField

from eventsys.search.text import MAX_QUERY_LENGTH


class SearchForm(FlaskForm):
    """The words to search for. Any text is accepted: what is longer than MAX_QUERY_LENGTH is
    cut and the page says so (see `text.parse_query`)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search for"), render_kw={"maxlength": MAX_QUERY_LENGTH})
