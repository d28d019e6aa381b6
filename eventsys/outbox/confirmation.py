"""Asking once before an action mails several people: the page shows who gets which mail (see
`rehearsal`) and sends the same form again, confirmed. Actions that mail nobody but cannot be
undone (approving, freezing) ask once the same way, saying what they do and what is open.

The confirmation page repeats every field the form sent, so that any form gains the step
without a second description of its fields.
"""

from collections.abc import Callable

from flask import render_template, request

from eventsys.outbox.rehearsal import MailPreview
from eventsys.outbox.services import preview_mail

CONFIRMED = "mail_confirmed"
# One recipient is told by the action's own message; from two on, the organiser looks first.
PREVIEW_FROM = 2


def confirmed() -> bool:
    """Whether the form was sent again from the confirmation page."""
    return request.form.get(CONFIRMED) == "1"


def needs_confirmation(preview: MailPreview) -> bool:
    return preview.total >= PREVIEW_FROM


def _fields_sent() -> list[tuple[str, str]]:
    """The form's fields as sent, for the confirming form to send again."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", CONFIRMED)
    ]


def confirmation_page(preview: MailPreview, heading: str, send_label: str, back_url: str):
    return render_template(
        "outbox/confirm_sending.html",
        preview=preview,
        heading=heading,
        send_label=send_label,
        back_url=back_url,
        fields=_fields_sent(),
        action=request.path,
        confirmed_field=CONFIRMED,
    )


def ask_first(action: Callable[[], object], heading: str, send_label: str, back_url: str):
    """The confirmation page, if `action` would mail several people and the form has not been
    confirmed yet; else None, and the caller goes on to do it. Raises what `action` raises (the
    rehearsal is rolled back either way)."""
    if confirmed():
        return None
    preview = preview_mail(action)
    if not needs_confirmation(preview):
        return None
    return confirmation_page(preview, heading, send_label, back_url)


def ask_once(heading: str, notes: list[str], confirm_label: str, back_url: str):
    """The page that asks once before an action that cannot be undone, with `notes` (what it
    does, what is still open, who gets mail), if the form has not been confirmed yet; else
    None, and the caller goes on to do it."""
    if confirmed():
        return None
    return render_template(
        "outbox/confirm_action.html",
        heading=heading,
        notes=notes,
        confirm_label=confirm_label,
        back_url=back_url,
        fields=_fields_sent(),
        action=request.path,
        confirmed_field=CONFIRMED,
    )
