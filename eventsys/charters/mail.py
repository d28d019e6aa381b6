"""Mail to experts about a charter version put out for consultation."""

from datetime import date

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.charters.models import CharterVersion
from eventsys.charters.tokens import make_consultation_token
from eventsys.experts.models import Expert
from eventsys.experts.salutations import letter_opening
from eventsys.i18n import format_local_date
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox

CONSULTATION_MAIL_KIND = "charter_consultation"
outbox_kinds.name_kinds({CONSULTATION_MAIL_KIND: _l("Consultation on a charter")})


def queue_consultation_mail(version: CharterVersion, expert: Expert, last_day: date) -> None:
    """Write the invitation to comment on `version` until `last_day` (inclusive) to `expert`
    in their language, with their personal link, and queue it in the current transaction, so
    that it goes out only if the consultation is committed."""
    language = expert.language if expert.language in current_app.config["LANGUAGES"] else "de"
    token = make_consultation_token(version, expert)
    charter = version.charter
    with force_locale(language):
        title = charter.title(language)
        context = {
            "expert": expert,
            "greeting": letter_opening(expert, language),
            "title": title,
            "label": version.label,
            "platform": current_app.config["PLATFORM_NAME"],
            "consult_link": url_for("charters.consult", token=token, _external=True),
            "pdf_link": url_for("charters.consult_pdf", token=token, _external=True),
            "deadline": format_local_date(last_day),
        }
        subject = _("Consultation: %(title)s, version %(label)s", title=title, label=version.label)
        text = render_template("charters/mail/consultation.txt", **context)
        html = render_template("charters/mail/consultation.html", **context)
    message = outbox.compose(mailbox(expert.email, expert.full_name), subject, text)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = language  # after the content, which clears Content-* headers
    outbox.queue(CONSULTATION_MAIL_KIND, message)
