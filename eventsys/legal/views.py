"""The legal pages for everyone, and their editor for admins."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import public, roles_required
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.legal import services
from eventsys.legal.forms import LegalTextForm
from eventsys.legal.models import LegalPage
from eventsys.roles import Role

blueprint = Blueprint("legal", __name__)

PAGES = "any(privacy, accessibility, imprint)"


# One address per page, without a URL argument: the public routes with arguments are the
# signed links, whose argument is their token.
@blueprint.route("/privacy")
@public
def privacy():
    return _show(LegalPage.PRIVACY)


@blueprint.route("/accessibility")
@public
def accessibility():
    return _show(LegalPage.ACCESSIBILITY)


@blueprint.route("/imprint")
@public
def imprint():
    return _show(LegalPage.IMPRINT)


def _show(page: LegalPage):
    text = services.page_text(page, current_language())
    return render_template("legal/show.html", text=text, pages=list(LegalPage))


@blueprint.route(f"/admin/legal/<{PAGES}:page>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(page: str):
    legal_page = LegalPage(page)
    german = services.page_text(legal_page, "de")
    english = services.page_text(legal_page, "en")
    form = LegalTextForm(data={"body_de": german.body, "body_en": english.body})
    if form.validate_on_submit():
        try:
            services.save_texts(
                legal_page, {"de": form.body_de.data, "en": form.body_en.data}, current_user
            )
        except services.LegalTextError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The text has been saved."), "success")
            return redirect(url_for("legal.edit", page=page))
    return render_template(
        "legal/edit.html",
        form=form,
        page=legal_page,
        german=german,
        english=english,
        pages=list(LegalPage),
    )
