"""The list of charters, a new charter, the working draft, and shaping a charter: its titles,
preamble and chapters."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters import charters, pool_queries, text_pages
from eventsys.charters.errors import CharterError
from eventsys.charters.forms import (
    ChapterChoiceForm,
    ChapterForm,
    ChapterMoveForm,
    CharterSettingsForm,
    NewCharterForm,
)
from eventsys.charters.models import Chapter, Charter
from eventsys.charters.views import blueprint
from eventsys.extensions import db
from eventsys.query_arguments import page_number


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_charters():
    return render_template(
        "charters/list.html", rows=charters.charter_rows(), form=NewCharterForm(formdata=None)
    )


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def new_charter():
    form = NewCharterForm()
    if not form.is_submitted():
        return render_template("charters/new.html", form=form)
    if not form.validate():
        return render_template("charters/new.html", form=form), 422
    try:
        charter = charters.create_charter(
            form.title_de.data, form.title_en.data or "", current_user
        )
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return render_template("charters/new.html", form=form), 422
    db.session.commit()
    flash(_("The charter was created; its pool holds the recommendations so far."), "success")
    return redirect(url_for("charters.draft", charter_id=charter.id))


@blueprint.route("/<int:charter_id>")
@roles_required(*ALL_STAFF)
def draft(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    latest = charters.latest_version(charter)
    text_page = text_pages.working_page(charter, page_number(request.args))
    return render_template(
        "charters/draft.html",
        charter=charter,
        text_page=text_page,
        text=text_page.text,
        latest=latest,
        label_in_progress=charters.label_in_progress(latest),
        new_ids=pool_queries.new_clause_ids(charter),
        changed_source_ids=pool_queries.clauses_with_changed_source(charter),
        unassigned=pool_queries.unassigned_count(charter),
        next_labels=None,
    )


def _settings_page(charter: Charter, form: CharterSettingsForm, status: int = 200):
    page = render_template(
        "charters/charter_settings.html",
        charter=charter,
        form=form,
        chapters=charters.chapters_in_order(charter),
        chapter_form=ChapterChoiceForm(formdata=None),
    )
    return page, status


@blueprint.route("/<int:charter_id>/settings", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def charter_settings(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = CharterSettingsForm(obj=charter)
    if not form.is_submitted():
        return _settings_page(charter, form)
    if not form.validate():
        return _settings_page(charter, form, 422)
    try:
        charters.update_charter(
            charter,
            title_de=form.title_de.data,
            title_en=form.title_en.data or "",
            preamble_de=form.preamble_de.data or "",
            preamble_en=form.preamble_en.data or "",
        )
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _settings_page(charter, form, 422)
    db.session.commit()
    flash(_("The charter's titles and preamble were saved."), "success")
    return redirect(url_for("charters.draft", charter_id=charter.id))


def _chapter_page(
    charter: Charter, form: ChapterForm, chapter: Chapter | None = None, status: int = 200
):
    page = render_template("charters/chapter.html", charter=charter, chapter=chapter, form=form)
    return page, status


def _chapter_of(charter: Charter, chapter_id: int | None) -> Chapter:
    """The charter's chapter with that id; 404 for a chapter of another charter."""
    chapter = db.session.get(Chapter, chapter_id) if chapter_id is not None else None
    if chapter is None or chapter.charter_id != charter.id:
        abort(404)
    return chapter


@blueprint.route("/<int:charter_id>/chapters/new", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def new_chapter(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = ChapterForm()
    if not form.is_submitted():
        return _chapter_page(charter, form)
    if not form.validate():
        return _chapter_page(charter, form, status=422)
    try:
        chapter = charters.add_chapter(charter, **_chapter_texts(form))
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _chapter_page(charter, form, status=422)
    db.session.commit()
    flash(_("The chapter was added at the end."), "success")
    return redirect(
        url_for("charters.draft", charter_id=charter.id, _anchor=f"chapter-{chapter.id}")
    )


@blueprint.route("/<int:charter_id>/chapters/<int:chapter_id>", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def edit_chapter(charter_id: int, chapter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    chapter = _chapter_of(charter, chapter_id)
    form = ChapterForm(obj=chapter)
    if not form.is_submitted():
        return _chapter_page(charter, form, chapter)
    if not form.validate():
        return _chapter_page(charter, form, chapter, 422)
    try:
        charters.update_chapter(chapter, **_chapter_texts(form))
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _chapter_page(charter, form, chapter, 422)
    db.session.commit()
    flash(_("The chapter was saved."), "success")
    return redirect(
        url_for("charters.draft", charter_id=charter.id, _anchor=f"chapter-{chapter.id}")
    )


def _chapter_texts(form: ChapterForm) -> dict[str, str]:
    return {
        "title_de": form.title_de.data,
        "title_en": form.title_en.data or "",
        "introduction_de": form.introduction_de.data or "",
        "introduction_en": form.introduction_en.data or "",
    }


def _back_to_chapters(charter_id: int):
    return redirect(url_for("charters.charter_settings", charter_id=charter_id, _anchor="chapters"))


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        flash(" ".join(str(error) for error in errors), "error")


@blueprint.route("/<int:charter_id>/chapters/move", methods=["POST"])
@roles_required(*ALL_STAFF)
def move_chapter(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = ChapterMoveForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to_chapters(charter.id)
    chapter = _chapter_of(charter, form.chapter_id())
    try:
        charters.move_chapter(chapter, form.offset.data)
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_chapters(charter.id)
    db.session.commit()
    flash(_("The chapters were numbered anew."), "success")
    return _back_to_chapters(charter.id)


@blueprint.route("/<int:charter_id>/chapters/remove", methods=["POST"])
@roles_required(*ALL_STAFF)
def remove_chapter(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = ChapterChoiceForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back_to_chapters(charter.id)
    chapter = _chapter_of(charter, form.chapter_id())
    title = chapter.title_de
    try:
        charters.remove_chapter(chapter)
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_chapters(charter.id)
    db.session.commit()
    flash(_("The chapter “%(title)s” was removed.", title=title), "success")
    return _back_to_chapters(charter.id)
