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
    BACK_TO_POOL,
    BATCH_ACTIONS,
    SUGGESTED,
    AssignForm,
    ClauseForm,
    MergeForm,
    MoveClauseForm,
    PoolActionForm,
    PoolBatchForm,
    PoolFilterForm,
    SetAsideForm,
    pool_query_arguments,
)
from eventsys.charters.models import Chapter, Charter, Clause
from eventsys.charters.states import ClauseStatus
from eventsys.charters.views import blueprint
from eventsys.extensions import db
from eventsys.i18n import current_language, format_local_date
from eventsys.query_arguments import id_from_text, page_number

MERGE_SEARCH_MAX_LENGTH = 200


def _clause_of(charter_id: int, clause_id: int) -> tuple[Charter, Clause]:
    """The charter and its clause; 404 for either unknown or a clause of another charter."""
    charter = db.get_or_404(Charter, charter_id)
    clause = db.get_or_404(Clause, clause_id)
    if clause.charter_id != charter.id:
        abort(404)
    return charter, clause


@blueprint.route("/<int:charter_id>/pool")
@roles_required(*ALL_STAFF)
def pool(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    filters = PoolFilterForm(formdata=request.args)
    sessions = pool_queries.pool_sessions(charter)
    filters.offer_sessions(
        [
            (session.id, f"{session.title} ({format_local_date(session.starts_at)})")
            for session in sessions
        ]
    )
    criteria = filters.criteria()
    overview = pool_queries.load_pool_page(charter, criteria, page=page_number(request.args))
    return render_template(
        "charters/pool.html",
        charter=charter,
        overview=overview,
        filters=filters,
        criteria=criteria,
        return_arguments=pool_query_arguments(criteria, overview.page.page),
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


@blueprint.route("/<int:charter_id>/pool/act", methods=["POST"])
@roles_required(*ALL_STAFF)
def pool_action(charter_id: int):
    """The pool page's one form: assign, set aside or restore the ticked recommendations, or
    move one up or down. All of them or none: a refusal for one undoes the others."""
    charter = db.get_or_404(Charter, charter_id)
    form = PoolBatchForm()
    if not form.validate_on_submit():
        return _form_refused(charter.id, form, None)
    move = form.move_request()
    if move is not None:
        return _move_from_pool(charter, form, *move)
    if form.action.data not in BATCH_ACTIONS:
        flash(_("Please choose what to do with the ticked recommendations."), "error")
        return _back_to_pool(charter.id, form)
    ticked = pool_queries.clauses_of(charter, form.ticked_ids()[: pool_queries.POOL_PAGE_SIZE])
    if not ticked:
        flash(_("Please tick the recommendations first."), "error")
        return _back_to_pool(charter.id, form)
    try:
        if form.action.data == "assign":
            message = _assign_ticked(charter, form, ticked)
        elif form.action.data == "set_aside":
            for clause in ticked:
                pool_services.set_aside(clause, form.reason.data or "", current_user)
            message = ngettext(
                "%(num)d recommendation was set aside.",
                "%(num)d recommendations were set aside.",
                len(ticked),
            )
        else:
            for clause in ticked:
                pool_services.restore(clause, current_user)
            message = ngettext(
                "%(num)d recommendation is back in the pool.",
                "%(num)d recommendations are back in the pool.",
                len(ticked),
            )
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_pool(charter.id, form)
    if message is None:
        return _back_to_pool(charter.id, form)
    db.session.commit()
    flash(message, "success")
    return _back_to_pool(charter.id, form)


def _assign_ticked(charter: Charter, form: PoolBatchForm, ticked: list[Clause]) -> str | None:
    """Assign the ticked clauses to the chosen chapter, to their guideline's chapter, or back
    to the pool; the success message, or None after a refusal already flashed."""
    choice = form.chapter.data or ""
    if choice == SUGGESTED:
        suggestions = pool_queries.suggested_chapters(charter)
        assigned = 0
        for clause in ticked:
            chapter = pool_queries.suggested_chapter(clause, suggestions)
            if chapter is not None:
                pool_services.assign(clause, chapter, current_user)
                assigned += 1
        return ngettext(
            "%(num)d recommendation was assigned to its guideline's chapter.",
            "%(num)d recommendations were assigned to their guideline's chapter.",
            assigned,
        )
    if choice == BACK_TO_POOL:
        chapter = None
    else:
        chapter_id = id_from_text(choice)
        chapter = db.session.get(Chapter, chapter_id) if chapter_id is not None else None
        if chapter is None or chapter.charter_id != charter.id:
            flash(_("Please choose a chapter."), "error")
            return None
    for clause in ticked:
        pool_services.assign(clause, chapter, current_user)
    if chapter is None:
        return ngettext(
            "%(num)d recommendation is back in the pool.",
            "%(num)d recommendations are back in the pool.",
            len(ticked),
        )
    return ngettext(
        "%(num)d recommendation was assigned to “%(title)s”.",
        "%(num)d recommendations were assigned to “%(title)s”.",
        len(ticked),
        title=chapter.title(current_language()),
    )


def _move_from_pool(charter: Charter, form: PoolBatchForm, clause_id: int, offset: int):
    clause = db.session.get(Clause, clause_id)
    if clause is None or clause.charter_id != charter.id:
        abort(404)
    try:
        pool_services.move(clause, offset, current_user)
    except CharterError as error:
        return _refused(error, charter.id, form, clause)
    db.session.commit()
    flash(_("The recommendation was moved."), "success")
    return _back_to_pool(charter.id, form, clause)


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


def _merge_query() -> str:
    """The words (or number) the recommendation to merge into was searched by, if any."""
    return " ".join(request.args.get("merge_q", "").split())[:MERGE_SEARCH_MAX_LENGTH]


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
        merge_query=_merge_query(),
        merge_targets=pool_queries.merge_targets(clause, name, _merge_query()),
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
