"""The expert directory: experts, organisations, working groups and the CSV import."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from eventsys.access import ALL_STAFF, PLANNERS, roles_required
from eventsys.database import utcnow
from eventsys.experts import (
    checks,
    csv_import,
    csv_reading,
    directory_export,
    import_jobs,
    organisations,
    people,
    search,
    working_groups,
)
from eventsys.experts.countries import country_name
from eventsys.experts.forms import (
    ExpertForm,
    ExpertSearchForm,
    ImportForm,
    OrganisationForm,
    WorkingGroupForm,
)
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.salutations import Salutation, letter_opening
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.experts.time_zones import zone_label
from eventsys.extensions import db
from eventsys.localtime import from_utc, platform_zone_name
from eventsys.query_arguments import page_number
from eventsys.spreadsheets import spreadsheet_download

blueprint = Blueprint("experts", __name__, url_prefix="/experts")


@blueprint.context_processor
def directory_helpers() -> dict:
    return {
        "may_change_directory": current_user.is_authenticated and current_user.role in PLANNERS,
        "country_name": country_name,
        "letter_opening": letter_opening,
        "zone_label": zone_label,
    }


def _show_refusal(form: FlaskForm, refusal: checks.DirectoryError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    if refusal.field is not None and refusal.field in form:
        form[refusal.field].errors.append(str(refusal))
    else:
        form.form_errors.append(str(refusal))


# --- experts ------------------------------------------------------------------------------------


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_experts():
    form = ExpertSearchForm(formdata=request.args)
    form.offer(working_groups.all_working_groups())
    form.validate()
    criteria = form.criteria()
    page = search.search_experts(criteria, page=page_number(request.args))
    chosen_organisation = (
        db.session.get(Organisation, criteria.organisation_id)
        if criteria.organisation_id is not None
        else None
    )
    return render_template(
        "experts/list.html",
        form=form,
        criteria=criteria,
        chosen_organisation=chosen_organisation,
        page=page,
        counts=search.count_experts_by_status(),
        # The download takes every page of what the filters find.
        export_arguments={name: value for name, value in request.args.items() if name != "page"},
    )


@blueprint.route("/directory.<any(xlsx, csv):kind>")
@roles_required(*ALL_STAFF)
def export_directory(kind: str):
    """The experts the directory's filters find (all pages) as a spreadsheet."""
    form = ExpertSearchForm(formdata=request.args)
    form.offer(working_groups.all_working_groups())
    form.validate()
    criteria = form.criteria()
    data, count = directory_export.directory_file(criteria, kind)
    directory_export.record_export(current_user._get_current_object(), criteria, kind, count)
    db.session.commit()
    today = from_utc(utcnow(), platform_zone_name()).date()
    return spreadsheet_download(data, f"experts-{today.isoformat()}.{kind}")


@blueprint.route("/<int:expert_id>")
@roles_required(*ALL_STAFF)
def show_expert(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    return render_template(
        "experts/detail.html",
        expert=expert,
        represented=people.experts_represented_by(expert),
    )


def _expert_details(form: ExpertForm) -> people.ExpertDetails:
    """The validated form's values; choices were checked, so the records exist."""
    deputy_id = form.deputy_id.data
    return people.ExpertDetails(
        salutation=Salutation(form.salutation.data),
        title=form.title.data or "",
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        organisation=db.session.get(Organisation, form.organisation_id.data),
        function=form.function.data or "",
        language=form.language.data,
        timezone=form.timezone.data,
        deputy=db.session.get(Expert, deputy_id) if deputy_id is not None else None,
    )


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def create_expert():
    form = ExpertForm()
    form.offer(organisations.all_organisations(), people.deputy_candidates(None))
    if form.validate_on_submit():
        try:
            expert = people.create_expert(_expert_details(form))
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=expert.full_name), "success")
            return redirect(url_for("experts.show_expert", expert_id=expert.id))
    return render_template("experts/form.html", form=form, expert=None)


@blueprint.route("/<int:expert_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit_expert(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = ExpertForm(obj=expert)
    form.offer(organisations.all_organisations(), people.deputy_candidates(expert))
    if form.validate_on_submit():
        try:
            people.update_expert(expert, _expert_details(form))
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The changes to %(name)s have been saved.", name=expert.full_name), "success")
            return redirect(url_for("experts.show_expert", expert_id=expert.id))
    return render_template("experts/form.html", form=form, expert=expert)


@blueprint.route("/<int:expert_id>/deactivate", methods=["POST"])
@roles_required(*PLANNERS)
def deactivate_expert(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    if people.deactivate_expert(expert):
        db.session.commit()
        flash(
            _(
                "%(name)s has been deactivated and will no longer be invited.",
                name=expert.full_name,
            ),
            "success",
        )
    else:
        flash(_("%(name)s was already inactive.", name=expert.full_name), "info")
    return redirect(url_for("experts.show_expert", expert_id=expert.id))


@blueprint.route("/<int:expert_id>/reactivate", methods=["POST"])
@roles_required(*PLANNERS)
def reactivate_expert(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    if people.reactivate_expert(expert):
        db.session.commit()
        flash(_("%(name)s is active again.", name=expert.full_name), "success")
    else:
        flash(_("%(name)s was already active.", name=expert.full_name), "info")
    return redirect(url_for("experts.show_expert", expert_id=expert.id))


# --- organisations ------------------------------------------------------------------------------


@blueprint.route("/organisations")
@roles_required(*ALL_STAFF)
def list_organisations():
    return render_template(
        "experts/organisations.html", organisations=organisations.organisations_with_counts()
    )


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def create_organisation():
    form = OrganisationForm()
    form.offer_countries()
    if form.validate_on_submit():
        try:
            organisation = organisations.create_organisation(
                form.name.data, StakeholderGroup(form.stakeholder_group.data), form.country.data
            )
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=organisation.name), "success")
            return redirect(url_for("experts.list_organisations"))
    return render_template("experts/organisation_form.html", form=form, organisation=None)


@blueprint.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit_organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    form.offer_countries()
    if form.validate_on_submit():
        try:
            organisations.update_organisation(
                organisation,
                form.name.data,
                StakeholderGroup(form.stakeholder_group.data),
                form.country.data,
            )
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The changes to %(name)s have been saved.", name=organisation.name), "success")
            return redirect(url_for("experts.list_organisations"))
    return render_template("experts/organisation_form.html", form=form, organisation=organisation)


# --- working groups -----------------------------------------------------------------------------


@blueprint.route("/groups")
@roles_required(*ALL_STAFF)
def list_working_groups():
    return render_template(
        "experts/working_groups.html", working_groups=working_groups.working_groups_with_counts()
    )


@blueprint.route("/groups/<int:group_id>")
@roles_required(*ALL_STAFF)
def show_working_group(group_id: int):
    """The group with its members and their organisations, in a fixed number of queries."""
    group = db.first_or_404(
        sa.select(WorkingGroup)
        .where(WorkingGroup.id == group_id)
        .options(selectinload(WorkingGroup.members).joinedload(Expert.organisation))
    )
    return render_template("experts/working_group.html", group=group)


@blueprint.route("/groups/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def create_working_group():
    form = WorkingGroupForm()
    form.offer(working_groups.member_candidates(None))
    if form.validate_on_submit():
        try:
            group = working_groups.create_working_group(
                form.name.data,
                form.description.data or "",
                working_groups.experts_by_ids(form.member_ids.data or []),
            )
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The working group %(name)s has been created.", name=group.name), "success")
            return redirect(url_for("experts.show_working_group", group_id=group.id))
    return render_template("experts/working_group_form.html", form=form, group=None)


@blueprint.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit_working_group(group_id: int):
    group = db.get_or_404(WorkingGroup, group_id)
    form = WorkingGroupForm(obj=group, member_ids=[member.id for member in group.members])
    form.offer(working_groups.member_candidates(group))
    if form.validate_on_submit():
        try:
            working_groups.update_working_group(
                group,
                form.name.data,
                form.description.data or "",
                working_groups.experts_by_ids(form.member_ids.data or []),
            )
        except checks.DirectoryError as refusal:
            _show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The changes to %(name)s have been saved.", name=group.name), "success")
            return redirect(url_for("experts.show_working_group", group_id=group.id))
    return render_template("experts/working_group_form.html", form=form, group=group)


# --- CSV import ---------------------------------------------------------------------------------


@blueprint.route("/import", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def import_experts():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            job = import_jobs.create_job(
                form.file.data.read(), dry_run=not form.save.data, user_id=current_user.id
            )
        except csv_reading.UnreadableFile as problem:
            db.session.rollback()
            form.file.errors.append(str(problem))
        else:
            db.session.commit()
            import_jobs.start(job)
            return redirect(url_for("experts.import_job", job_id=job.id))
    return render_template("experts/import.html", form=form, **_column_help())


def _column_help() -> dict:
    return {
        "headings": csv_reading.COLUMN_HEADINGS,
        "labels": csv_reading.COLUMN_LABELS,
        "required": csv_reading.REQUIRED_COLUMNS,
    }


@blueprint.route("/import/<int:job_id>")
@roles_required(*PLANNERS)
def import_job(job_id: int):
    """How far an import got, and its report once it is done (the page refreshes itself)."""
    job = db.get_or_404(import_jobs.ImportJob, job_id)
    report = job.the_report()
    shown = []
    if report is not None:
        # The rejected rows first: they are the ones someone has to correct.
        rejected = [row for row in report.rows if row.outcome is csv_import.Outcome.REJECTED]
        changed = [
            row
            for row in report.rows
            if row.outcome in (csv_import.Outcome.CREATED, csv_import.Outcome.UPDATED)
        ]
        shown = (rejected + changed)[: import_jobs.REPORT_ROWS_SHOWN]
    return render_template(
        "experts/import_job.html",
        job=job,
        states=import_jobs.JobState,
        report=report,
        shown_rows=shown,
        outcomes=csv_import.Outcome,
    )


@blueprint.route("/import/<int:job_id>.json")
@roles_required(*PLANNERS)
def import_job_progress(job_id: int):
    job = db.get_or_404(import_jobs.ImportJob, job_id)
    return {
        "state": job.state.value,
        "done": job.rows_done,
        "total": job.rows_total,
        "stalled": job.stalled,
    }


@blueprint.route("/import/<int:job_id>/continue", methods=["POST"])
@roles_required(*PLANNERS)
def continue_import(job_id: int):
    """Start a stalled job again (its worker went away); rows written before are recognised
    by their e-mail address, so nothing is imported twice."""
    job = db.get_or_404(import_jobs.ImportJob, job_id)  # (CSRF is checked for every POST)
    if job.stalled:
        import_jobs.start(job)
        flash(_("The import goes on."), "success")
    elif not job.finished:
        flash(_("The import is still moving on; there is nothing to continue."), "info")
    return redirect(url_for("experts.import_job", job_id=job.id))
