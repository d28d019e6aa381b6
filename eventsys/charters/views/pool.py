"""The pool of a charter: the recommendations from approved minutes, what became of each, and
the actions on them; and the page to reword one for the charter."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters import pool as pool_services
from eventsys.charters import pool_queries
from eventsys.charters.errors import CharterError
from eventsys.charters.forms import (
    AssignForm,
    ClauseForm,
    MergeForm,
    MoveClauseForm,
    PoolActionForm,
    PoolFilterForm,
    SetAsideForm,
)
from eventsys.charters.models import Chapter, Charter, Clause
from eventsys.charters.states import ClauseStatus
from eventsys.charters.views import blueprint
from eventsys.extensions import db
from eventsys.i18n import current_language


def _clause_of(charter_id: int, clause_id: int) -> tuple[Charter, Clause]:
    """The charter and its clause; 404 for either unknown or a clause of another charter."""
    charter = db.get_or_404(Charter, charter_id)
    clause = db.get_or_404(Clause, clause_id)
    if clause.charter_id != charter.id:
        abort(404)
    return charter, clause


def _shown(overview: pool_queries.Pool, state: str, new_only: bool) -> list[Clause]:
    if state == "assigned":
        shown = overview.in_text_order()
    elif state == "unassigned":
        shown = [clause for clause in overview.active if clause.chapter_id is None]
    elif state == "all":
        shown = overview.clauses
    else:
        shown = [clause for clause in overview.clauses if clause.status == state]
    if new_only:
        shown = [clause for clause in shown if overview.is_new(clause)]
    return shown


@blueprint.route("/<int:charter_id>/pool")
@roles_required(*ALL_STAFF)
def pool(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    filters = PoolFilterForm(formdata=request.args)
    state, new_only = filters.criteria()
    overview = pool_queries.load_pool(charter)
    shown = _shown(overview, state, new_only)
    return render_template(
        "charters/pool.html",
        charter=charter,
        overview=overview,
        filters=filters,
        state=state,
        new_only=new_only,
        shown=shown,
        clauses_by_id={clause.id: clause for clause in overview.clauses},
        suggestable=sum(
            1
            for clause in overview.active
            if clause.chapter_id is None and overview.suggestion(clause) is not None
        ),
        action_form=PoolActionForm(formdata=None),
        statuses=ClauseStatus,
    )


def _back_to_pool(charter_id: int, form: PoolActionForm, clause: Clause | None = None):
    anchor = f"clause-{clause.id}" if clause is not None else None
    return redirect(
        url_for("charters.pool", charter_id=charter_id, _anchor=anchor, **form.return_filter())
    )


def _refused(error: CharterError, charter_id: int, form: PoolActionForm, clause: Clause):
    db.session.rollback()
    flash(str(error), "error")
    return _back_to_pool(charter_id, form, clause)


def _form_refused(charter_id: int, form: PoolActionForm, clause: Clause | None):
    for errors in form.errors.values():
        flash(" ".join(str(error) for error in errors), "error")
    return _back_to_pool(charter_id, form, clause)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/assign", methods=["POST"])
@roles_required(*ALL_STAFF)
def assign_clause(charter_id: int, clause_id: int):
    charter, clause = _clause_of(charter_id, clause_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, clause)
    chapter = db.session.get(Chapter, form.chapter.data) if form.chapter.data else None
    if form.chapter.data and chapter is None:
        flash(_("This chapter does not exist (any more)."), "error")
        return _back_to_pool(charter.id, form, clause)
    try:
        pool_services.assign(clause, chapter, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    if chapter is None:
        flash(_("The recommendation is back in the pool."), "success")
    else:
        title = chapter.title(current_language())
        flash(_("The recommendation was assigned to “%(title)s”.", title=title), "success")
    return _back_to_pool(charter.id, form, clause)


@blueprint.route("/<int:charter_id>/pool/assign-suggested", methods=["POST"])
@roles_required(*ALL_STAFF)
def assign_suggested(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = PoolActionForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, None)
    count = pool_services.assign_suggested(charter, current_user)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d recommendation was assigned to its guideline's chapter.",
            "%(num)d recommendations were assigned to their guideline's chapter.",
            count,
        ),
        "success",
    )
    return _back_to_pool(charter.id, form)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/set-aside", methods=["POST"])
@roles_required(*ALL_STAFF)
def set_aside_clause(charter_id: int, clause_id: int):
    charter, clause = _clause_of(charter_id, clause_id)
    form = SetAsideForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, clause)
    try:
        pool_services.set_aside(clause, form.reason.data, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    flash(_("The recommendation was set aside."), "success")
    return _back_to_pool(charter.id, form, clause)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/restore", methods=["POST"])
@roles_required(*ALL_STAFF)
def restore_clause(charter_id: int, clause_id: int):
    charter, clause = _clause_of(charter_id, clause_id)
    form = PoolActionForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, clause)
    try:
        pool_services.restore(clause, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    flash(_("The recommendation is back in the pool."), "success")
    return _back_to_pool(charter.id, form, clause)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/merge", methods=["POST"])
@roles_required(*ALL_STAFF)
def merge_clause(charter_id: int, clause_id: int):
    charter, clause = _clause_of(charter_id, clause_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, clause)
    into = db.session.get(Clause, form.into.data)
    if into is None:
        flash(_("Please choose the recommendation to merge into."), "error")
        return _back_to_pool(charter.id, form, clause)
    try:
        pool_services.merge(clause, into, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    flash(_("The recommendation was merged; all its origins are kept."), "success")
    return _back_to_pool(charter.id, form, into)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/move", methods=["POST"])
@roles_required(*ALL_STAFF)
def move_clause(charter_id: int, clause_id: int):
    charter, clause = _clause_of(charter_id, clause_id)
    form = MoveClauseForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, clause)
    try:
        pool_services.move(clause, form.offset.data, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    flash(_("The recommendation was moved."), "success")
    return _back_to_pool(charter.id, form, clause)


def _clause_page(charter: Charter, clause: Clause, form: ClauseForm, status: int = 200):
    numbers = pool_queries.clause_numbers(charter)

    def name(shown: Clause) -> str:
        return numbers.get(shown.id) or pool_queries.label(shown)

    page = render_template(
        "charters/clause.html",
        charter=charter,
        clause=clause,
        form=form,
        name=name(clause),
        number=numbers.get(clause.id),
        merged_into_name=name(clause.merged_into) if clause.merged_into else None,
        is_new=pool_queries.is_new(clause, charter),
        merge_targets=pool_queries.merge_targets(clause, name),
    )
    return page, status


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def clause(charter_id: int, clause_id: int):
    charter, found = _clause_of(charter_id, clause_id)
    form = ClauseForm(obj=found)
    if not form.is_submitted():
        return _clause_page(charter, found, form)
    if not form.validate():
        return _clause_page(charter, found, form, 422)
    try:
        pool_services.reword(found, form.text_de.data, form.text_en.data or "", current_user)
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _clause_page(charter, found, form, 422)
    db.session.commit()
    flash(_("The wording was saved."), "success")
    return redirect(url_for("charters.clause", charter_id=charter.id, clause_id=found.id))
