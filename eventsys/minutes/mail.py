"""Mail to attendees about minutes: the draft to comment on, and the approved record."""

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.experts.models import Expert
from eventsys.experts.salutations import letter_opening
from eventsys.i18n import format_local_date
from eventsys.minutes.models import Minutes
from eventsys.minutes.tokens import make_reader_token
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox


class MinutesMailKind:
    CIRCULATED = "minutes_circulated"
    PUBLISHED = "minutes_published"


outbox_kinds.name_kinds(
    {
        MinutesMailKind.CIRCULATED: _l("Draft minutes for comments"),
        MinutesMailKind.PUBLISHED: _l("Approved minutes"),
    }
)

SUBJECTS = {
    MinutesMailKind.CIRCULATED: lambda title: _(
        "Draft minutes for your comments: %(title)s", title=title
    ),
    MinutesMailKind.PUBLISHED: lambda title: _("Approved minutes: %(title)s", title=title),
}


def queue_minutes_mail(minutes: Minutes, expert: Expert, kind: str) -> None:
    """Write one mail of `kind` to `expert` in their language and queue it in the current
    transaction, so that it goes out only if the change that causes it is committed."""
    language = expert.language if expert.language in current_app.config["LANGUAGES"] else "de"
    token = make_reader_token(minutes, expert)
    with force_locale(language):
        context = {
            "kind": kind,
            "kinds": MinutesMailKind,
            "expert": expert,
            "greeting": letter_opening(expert, language),
            "session": minutes.session,
            "session_title": minutes.session.title_for(language),
            "minutes": minutes,
            "platform": current_app.config["PLATFORM_NAME"],
            "read_link": url_for("minutes.read", token=token, _external=True),
            "pdf_link": url_for("minutes.read_pdf", token=token, _external=True),
            "deadline": format_local_date(minutes.last_comment_day),
        }
        subject = SUBJECTS[kind](minutes.session.title_for(language))
        text = render_template("minutes/mail/message.txt", **context)
        html = render_template("minutes/mail/message.html", **context)
    message = outbox.compose(mailbox(expert.email, expert.full_name), subject, text)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = language  # after the content, which clears Content-* headers
    outbox.queue(kind, message)
