"""Why a message that arrived was handled as it was, kept as codes and values.

A message is stored with a list of reasons, each a code and the values its sentence needs
(`{"code": "recorded", "values": {"attendee": "…", "answer": {"answer": "accepted"}}}`), and
the sentence is written only when someone reads it, in the reader's language. A value is text
or a number as it was seen (an address, a session's title at the time, a UID), or one of these,
translated or formatted when shown:

- `{"answer": "accepted"}`: an answer (`Response`), shown by its label;
- `{"moment": "2030-07-02T07:00:00+00:00"}`: a point in time, shown in Berlin time;
- `{"code": …, "values": {…}}`: a part of the sentence that is itself a reason.

Messages stored before reasons were kept this way have a sentence in
`InboundMessage.explanation` instead, which is shown as it is.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from eventsys.calendar_reading import CalendarTime
from eventsys.i18n import format_local_datetime
from eventsys.invitations.states import Response

Value = str | int | dict[str, Any]

TEXTS = {
    # --- Which session, which invitee -------------------------------------------------------
    "unknown_entry": _l(
        "The calendar reply refers to an entry (UID %(uid)s) that belongs to no session here."
    ),
    "no_attendee": _l(
        "The calendar reply about “%(session)s” names no attendee, so it is unclear whose "
        "answer it is."
    ),
    "never_invited": _l("%(attendee)s was never invited to “%(session)s”."),
    "directory_owner": _l("The address belongs to %(name)s in the directory."),
    "comes_from_invitee": _l(
        "The mail comes from %(invitee)s, who was invited; check whether this is their "
        "answer, given from another address."
    ),
    "written_in_entry_of": _l(
        "The reply is written in the calendar entry sent to %(invitee)s; check whether this is "
        "their answer, given from another address."
    ),
    "answers_mail_to": _l(
        "The mail answers the invitation sent to %(invitee)s; check whether this is their "
        "answer, given from another address."
    ),
    "not_their_entry": _l(
        "The calendar reply answers for %(attendee)s, but its calendar entry (UID %(uid)s) is "
        "not the one sent to %(attendee)s, so it cannot come from their calendar. It is kept, "
        "not recorded."
    ),
    # --- Who sent it ----------------------------------------------------------------------
    "sender_not_attendee": _l(
        "The calendar reply answers for %(attendee)s, but the mail was sent from %(sender)s: "
        "only the attendee or the person named with SENT-BY can answer this way, so the reply "
        "may come from someone else and is kept, not recorded. Some calendar apps (Apple "
        "Calendar among them) answer from another mail account of the same person; if you "
        "know this is their answer, set it here."
    ),
    "attendee_sent_by": _l("%(attendee)s (sent by %(sent_by)s)"),
    "unreadable_address": _l("an address that cannot be read"),
    "sent_by_outside": _l(
        "The calendar reply answers for %(attendee)s and was sent on their behalf by "
        "%(sent_by)s (SENT-BY), an address outside the attendee's organisation. Anyone can "
        "name themselves that way, so the reply is kept, not recorded. If %(sent_by)s does "
        "answer for %(attendee)s, set the answer here."
    ),
    "forged": _l(
        "Our mail server reports %(verdict)s for the domain of %(sender)s: the sender address "
        "may be forged, so the calendar reply is kept, not recorded."
    ),
    # --- The session and the version ------------------------------------------------------
    "withdrawn": _l(
        "The invitation of %(attendee)s to “%(session)s” had been withdrawn when this reply "
        "arrived; it is kept, not recorded."
    ),
    "cancelled": _l(
        "“%(session)s” has been cancelled; the reply of %(attendee)s is kept, not recorded."
    ),
    "earlier_version": _l(
        "This reply answers version %(version)d of “%(session)s”, which has changed since (now "
        "version %(current)d). It is kept, not recorded: only an answer of %(attendee)s to the "
        "changed invitation counts."
    ),
    "written_later": _l(
        "%(attendee)s answered again after writing this reply (%(answer)s, already recorded); "
        "this earlier reply is kept, not recorded."
    ),
    # --- The answer -----------------------------------------------------------------------
    "no_answer": _l(
        "The reply of %(attendee)s does not say whether they will come (PARTSTAT %(partstat)s)."
    ),
    "duplicate": _l(
        "The same answer (%(answer)s) of %(attendee)s had been recorded already; nothing changed."
    ),
    "recorded": _l("Calendar reply of %(attendee)s recorded for “%(session)s”: %(answer)s."),
    "waitlisted": _l("The session is full; the acceptance is on the waiting list."),
    # --- Deputies -------------------------------------------------------------------------
    "delegated_without_deputy": _l(
        "%(attendee)s delegated the invitation to “%(session)s” without naming a deputy."
    ),
    "deputy_refused": _l(
        "%(attendee)s wants to send %(deputy)s as a deputy to “%(session)s”: %(reason)s"
    ),
    "deputy_already_named": _l(
        "%(attendee)s had already named %(deputy)s as a deputy for “%(session)s”; nothing changed."
    ),
    "deputy_invited": _l(
        "%(attendee)s sends %(deputy)s as a deputy to “%(session)s”; %(deputy)s has an "
        "invitation of their own."
    ),
    "deputy_proposed": _l(
        "%(attendee)s sends %(deputy)s as a deputy to “%(session)s”. The address is not in the "
        "directory, so nobody has been mailed yet: please check the name on the session's "
        "invitations page and confirm the deputy there; they are then invited."
    ),
    "deputy_already_proposed": _l(
        "%(attendee)s had already named %(deputy)s as a deputy for “%(session)s”; the deputy "
        "still waits to be confirmed on the session's invitations page. Nothing changed."
    ),
    # --- Counter-proposals ----------------------------------------------------------------
    "counter_unknown_entry": _l(
        "A counter-proposal for a calendar entry (UID %(uid)s) that belongs to no session here."
    ),
    "counter_recorded": _l(
        "%(attendee)s proposes another time for “%(session)s”: %(start)s to %(end)s. This is "
        "shown to the organisers with the session's invitations; the answer is not changed."
    ),
    "counter_repeated": _l(
        "%(attendee)s had proposed the same time for “%(session)s” already (%(start)s to "
        "%(end)s); it is shown once."
    ),
    "counter_not_invited": _l(
        "%(attendee)s proposes another time for “%(session)s” (%(start)s to %(end)s), but is "
        "not among its invitees, so the proposal is kept here and not shown with the "
        "invitations."
    ),
    "counter_without_time": _l(
        "The counter-proposal of %(attendee)s for “%(session)s” names no new start time, so "
        "there is nothing to show with the invitations. Please read it and decide."
    ),
    "note": _l("Note: “%(note)s”"),
    # --- Calendar parts that cannot be trusted --------------------------------------------
    "calendar_incomplete": _l(
        "The calendar part is cut off: it ends without %(missing)s. Whatever answer it gives, "
        "it is not recorded from a part that may be missing lines. Please read it and decide."
    ),
    "calendar_bad_time": _l(
        "The calendar part's %(property)s “%(value)s” is not a date and time that can be read. "
        "Whatever answer it gives, it is not recorded. Please read it and decide."
    ),
    # --- Mail without a calendar answer ---------------------------------------------------
    "empty": _l("The message is empty."),
    "not_mail": _l(
        "This does not look like an e-mail: it has no sender, no subject and no calendar part."
    ),
    "no_method": _l(
        "The calendar part names no METHOD, so it is not an answer to an invitation. Please "
        "read it and decide."
    ),
    "other_method": _l(
        "The calendar part has METHOD:%(method)s, which is not an answer to an invitation. "
        "Please read it and decide."
    ),
    "auto_reply": _l(
        "An automatic reply (%(reason)s), such as an out-of-office notice; set aside."
    ),
    "calendar_unreadable": _l(
        "The message has a calendar part, but it could not be read: %(problems)s."
    ),
    "answers_mail_about": _l(
        "It answers the mail to %(invitee)s about “%(session)s”; please read it and set the answer."
    ),
    "plain_linked": _l(
        "A plain e-mail without a calendar reply, answering the mail to %(invitee)s about "
        "“%(session)s”. Please read it and set the answer."
    ),
    "plain_unlinked": _l(
        "A plain e-mail that is neither a calendar reply nor an answer to one of our mails. "
        "Please read it and decide."
    ),
    "problems": _l("Problems: %(problems)s."),
    "delivery_report": _l("A mail server reports that a message could not be delivered."),
    "delivery_concerns": _l(
        "It concerns the mail to %(invitee)s about “%(session)s”; please check the address."
    ),
    "unexpected_error": _l(
        "An unexpected error occurred while processing this message, so it waits for a person "
        "to decide. (%(error)s)"
    ),
    # --- What people decided --------------------------------------------------------------
    "decided": _l("Decided by %(user)s: %(answer)s for %(invitee)s."),
    "set_aside": _l("Set aside by %(user)s."),
}


@dataclass(frozen=True)
class Reason:
    """One sentence of an explanation, as its code and values."""

    code: str
    values: dict[str, Value] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {"code": self.code, "values": dict(self.values)}


def reason(code: str, **values: Value) -> Reason:
    if code not in TEXTS:
        raise KeyError(f"no text for the reason {code!r}")
    return Reason(code, values)


def answer_value(response: Response) -> dict[str, str]:
    return {"answer": response.value}


def time_value(time: CalendarTime | None) -> Value:
    """A proposed time: its moment where its zone is known, else what was written."""
    if time is None:
        return "–"
    if time.moment is not None:
        return {"moment": time.moment.isoformat()}
    return f"{time.value} ({time.tzid})" if time.tzid else time.value


def _shown_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "code" in value:
            return render_one(value)
        if "answer" in value:
            try:
                return str(Response(value["answer"]).label)
            except ValueError:
                return str(value["answer"])
        if "moment" in value:
            try:
                return format_local_datetime(datetime.fromisoformat(str(value["moment"])))
            except ValueError:
                return str(value["moment"])
        return json.dumps(value, ensure_ascii=False)
    return value


def render_one(data: Any) -> str:
    """One stored reason as a sentence in the current language. A reason this version does not
    know, or whose values do not fit its sentence, is shown as its code and values rather than
    hidden."""
    if not isinstance(data, dict):
        return str(data)
    code = str(data.get("code", ""))
    values = data.get("values") or {}
    if not isinstance(values, dict):
        values = {}
    text = TEXTS.get(code)
    if text is None:
        return f"{code} {json.dumps(values, ensure_ascii=False)}".strip()
    shown = {name: _shown_value(value) for name, value in values.items()}
    try:
        return str(text) % shown
    except (KeyError, ValueError, TypeError):
        return f"{text} {json.dumps(values, ensure_ascii=False)}"


def render(reasons: Iterable[Any], fallback: str = "") -> str:
    """The explanation to show: the sentence stored before reasons were kept as codes (if any),
    then each reason, one per line for decisions, in the current language."""
    reasons = list(reasons or [])
    if not reasons:
        return fallback
    first, *later = _joined([render_one(item) for item in reasons], reasons)
    return "\n".join(part for part in (fallback, first, *later) if part)


def _joined(sentences: list[str], reasons: list[Any]) -> list[str]:
    """What the handling said as one paragraph; each person's decision on a line of its own."""
    paragraph: list[str] = []
    lines: list[str] = []
    for sentence, item in zip(sentences, reasons, strict=True):
        code = item.get("code") if isinstance(item, dict) else None
        if code in ("decided", "set_aside"):
            lines.append(sentence)
        else:
            paragraph.append(sentence)
    return [" ".join(paragraph), *lines]
