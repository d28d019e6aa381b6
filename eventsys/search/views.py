"""The search page for staff: /search?q=…"""

from flask import Blueprint, render_template, request

from eventsys.access import ALL_STAFF, roles_required
from eventsys.i18n import current_language
from eventsys.query_arguments import page_number
from eventsys.search import services
from eventsys.search.forms import SearchForm
from eventsys.search.text import MAX_QUERY_LENGTH, MAX_QUERY_WORDS

blueprint = Blueprint("search", __name__)


@blueprint.route("/search")
@roles_required(*ALL_STAFF)
def search():
    form = SearchForm(formdata=request.args)
    results = services.search(form.q.data, page_number(request.args), current_language())
    return render_template(
        "search/results.html",
        form=form,
        results=results,
        max_length=MAX_QUERY_LENGTH,
        max_words=MAX_QUERY_WORDS,
    )
