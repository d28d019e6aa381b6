"""The mails of an invitation's life, in the expert's language and time zone.

Shape (INTEROP.md, what every major client handles): multipart/mixed containing a
multipart/alternative of text/plain, text/html and `text/calendar; method=…`, plus the same
calendar as an `invite.ics` attachment. Calendar parts are base64-encoded, text parts
quoted-printable, so that non-ASCII survives every mail server.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from babel.dates import format_date, format_time
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.experts.feed_addresses import FeedAddresses, expert_feed_addresses
from eventsys.experts.salutations import letter_opening
from eventsys.extensions import db
from eventsys.invitations import calendar
from eventsys.invitations.models import Invitation
from eventsys.invitations.tokens import make_rsvp_token
from eventsys.localtime import platform_zone_name, zone, zone_city
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.sessions.models import Session


class MailKind:
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    WITHDRAWAL = "withdrawal"
    DEADLINE_REMINDER = "deadline_reminder"
    EVE_REMINDER = "eve_reminder"
    WAITLISTED = "waitlisted"
    MOVED_UP = "moved_up"
    DEPUTY_INVITED = "deputy_invited"
    ANSWER_CONFIRMED = "answer_confirmed"  # after an acceptance by link, with the entry
    ANSWER_REMOVED = "answer_removed"  # after a decline or deputy by link, with a CANCEL


outbox_kinds.name_kinds(
    {
        MailKind.INVITATION: _l("Invitation"),
        MailKind.UPDATE: _l("Update"),
        MailKind.CANCELLATION: _l("Cancellation"),
        MailKind.WITHDRAWAL: _l("Withdrawal"),
        MailKind.DEADLINE_REMINDER: _l("Reminder before the deadline"),
        MailKind.EVE_REMINDER: _l("Reminder the day before"),
        MailKind.WAITLISTED: _l("Waiting list notice"),
        MailKind.MOVED_UP: _l("Moved up from the waiting list"),
        MailKind.DEPUTY_INVITED: _l("Invitation as a deputy"),
        MailKind.ANSWER_CONFIRMED: _l("Confirmation of the answer"),
        MailKind.ANSWER_REMOVED: _l("Confirmation of the answer, entry removed"),
    }
)

# Which kinds carry a calendar object, and with which METHOD.
CALENDAR_METHODS = {
    MailKind.INVITATION: "REQUEST",
    MailKind.UPDATE: "REQUEST",
    MailKind.DEADLINE_REMINDER: "REQUEST",
    MailKind.EVE_REMINDER: "REQUEST",
    MailKind.DEPUTY_INVITED: "REQUEST",
    MailKind.ANSWER_CONFIRMED: "REQUEST",
    MailKind.CANCELLATION: "CANCEL",
    MailKind.ANSWER_REMOVED: "CANCEL",
    MailKind.WITHDRAWAL: "CANCEL",
}


@dataclass(frozen=True)
class WhenText:
    """Date and time of a session as one reader sees them."""

    date: str
    start: str
    end: str
    zone_note: str  # e.g. "(Berlin: 10:00–12:00 Uhr)" for readers in another zone
    span: str = ""  # start and end as one, e.g. "10:00–16:00 Uhr"


def describe_when(session: Session, language: str, time_zone: str) -> WhenText:
    """The session's date and times in the reader's zone, with Berlin time when it differs."""
    return describe_times(session.starts_at, session.ends_at, language, time_zone)


def describe_times(
    starts_at: datetime, ends_at: datetime, language: str, time_zone: str
) -> WhenText:
    """A date and times in the reader's zone, with Berlin time when it differs."""
    berlin = platform_zone_name()
    reader_zone = zone(time_zone or berlin)
    start, end = starts_at.astimezone(reader_zone), ends_at.astimezone(reader_zone)
    date_pattern = "EEEE, d. MMMM yyyy" if language == "de" else "EEEE, d MMMM yyyy"
    time_pattern = "HH:mm"
    note = ""
    if (
        time_zone
        and time_zone != berlin
        and start.utcoffset() != starts_at.astimezone(zone(berlin)).utcoffset()
    ):
        berlin_start = format_time(starts_at.astimezone(zone(berlin)), time_pattern)
        berlin_end = format_time(ends_at.astimezone(zone(berlin)), time_pattern)
        note = _(
            "(%(city)s time; in Berlin %(start)s–%(end)s)",
            city=zone_city(time_zone, language),
            start=berlin_start,
            end=berlin_end,
        )
    suffix = " Uhr" if language == "de" else ""
    start_text = format_time(start, time_pattern, locale=language)
    end_text = format_time(end, time_pattern, locale=language)
    return WhenText(
        date=format_date(start, date_pattern, locale=language),
        start=start_text + suffix,
        end=end_text + suffix,
        zone_note=note,
        span=f"{start_text}–{end_text}{suffix}",
    )


@dataclass(frozen=True)
class ChangeLine:
    """One thing that changed, as an update mail says it: the new value beside the old one."""

    label: str
    new: str
    old: str = ""  # empty where the old value is too long to repeat (a description)


def _instant(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _place(address: str, room: str) -> str:
    return ", ".join(part for part in (address, room) if part)


def describe_changes(
    changes: dict, session: Session, language: str, time_zone: str
) -> list[ChangeLine]:
    """What changed, in the reader's language and zone: `changes` maps each changed field to
    its [old, new] values as stored in the audit trail; the new values are the session's."""
    lines: list[ChangeLine] = []
    if "starts_at" in changes or "ends_at" in changes:
        old_start = _instant(changes.get("starts_at", [session.starts_at])[0])
        old_end = _instant(changes.get("ends_at", [session.ends_at])[0])
        if old_start is not None and old_end is not None:
            new = describe_when(session, language, time_zone)
            old = describe_times(old_start, old_end, language, time_zone)
            if old.date != new.date:
                lines.append(ChangeLine(_("Date"), new.date, old.date))
            if old.span != new.span:
                lines.append(ChangeLine(_("Time"), new.span, old.span))
    if "venue_address" in changes or "venue_room" in changes:
        old_place = _place(
            str(changes.get("venue_address", [session.venue_address])[0] or ""),
            str(changes.get("venue_room", [session.venue_room])[0] or ""),
        )
        new_place = _place(session.venue_address, session.venue_room)
        lines.append(ChangeLine(_("Venue"), new_place or _("none"), old_place or _("none")))
    if "online_url" in changes:
        old_url = str(changes["online_url"][0] or "")
        lines.append(ChangeLine(_("Online"), session.online_url or _("none"), old_url or _("none")))
    if {"title", "title_en"} & changes.keys():
        old_title = _old_in_language(changes, "title", session, language)
        if old_title != session.title_for(language):
            lines.append(ChangeLine(_("Title"), session.title_for(language), old_title))
    if {"description", "description_en"} & changes.keys():
        old_description = _old_in_language(changes, "description", session, language)
        if old_description != session.description_for(language):
            new_description = _shortened(session.description_for(language)) or _("none")
            lines.append(ChangeLine(_("Description"), new_description))
    if "agenda" in changes:
        lines.append(ChangeLine(_("Agenda"), _("changed, see below")))
    return lines


def _old_in_language(changes: dict, field: str, session: Session, language: str) -> str:
    """What a reader of `language` saw of `field` before the change: for an English reader the
    English value where there was one, else the German."""

    def before(name: str) -> str:
        return str((changes[name][0] if name in changes else getattr(session, name)) or "")

    if language == "en" and before(f"{field}_en"):
        return before(f"{field}_en")
    return before(field)


DESCRIPTION_SHOWN = 300  # characters of a changed description an update repeats


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_SHOWN else text[: DESCRIPTION_SHOWN - 1] + "…"


DEADLINE_PATTERNS = {"de": ("dd.MM.yyyy", "HH:mm 'Uhr'"), "en": ("d MMM yyyy", "HH:mm")}


def format_deadline(moment: datetime | None, language: str, time_zone: str) -> str:
    """The answer deadline in the reader's zone, e.g. "08.12.2026, 23:59 Uhr"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone(time_zone or platform_zone_name()))
    date_pattern, time_pattern = DEADLINE_PATTERNS.get(language, DEADLINE_PATTERNS["de"])
    day = format_date(local, date_pattern, locale=language)
    return f"{day}, {format_time(local, time_pattern, locale=language)}"


def rsvp_links(invitation: Invitation) -> dict[str, str]:
    """The answer page with each answer preselected, and under "" the page with none."""
    token = make_rsvp_token(invitation)
    links = {
        answer: url_for("invitations.respond", token=token, answer=answer, _external=True)
        for answer in ("accepted", "tentative", "declined")
    }
    # An empty `answer` would build "/rsvp/<token>/", which no route matches.
    links[""] = url_for("invitations.respond", token=token, _external=True)
    return links


# Each kind's subject, given the session's title in the reader's language.
SUBJECTS = {
    MailKind.INVITATION: lambda title: _("Invitation: %(title)s", title=title),
    MailKind.UPDATE: lambda title: _("Changed: %(title)s", title=title),
    MailKind.CANCELLATION: lambda title: _("Cancelled: %(title)s", title=title),
    MailKind.WITHDRAWAL: lambda title: _("Invitation withdrawn: %(title)s", title=title),
    MailKind.DEADLINE_REMINDER: lambda title: _("Reminder: please answer – %(title)s", title=title),
    MailKind.EVE_REMINDER: lambda title: _("Tomorrow: %(title)s", title=title),
    MailKind.WAITLISTED: lambda title: _("On the waiting list: %(title)s", title=title),
    MailKind.MOVED_UP: lambda title: _("A place is free for you: %(title)s", title=title),
    MailKind.DEPUTY_INVITED: lambda title: _("Invitation as a deputy: %(title)s", title=title),
    MailKind.ANSWER_CONFIRMED: lambda title: _("Your answer: %(title)s", title=title),
    MailKind.ANSWER_REMOVED: lambda title: _("Your answer: %(title)s", title=title),
}


@dataclass(frozen=True)
class Personal:
    """What an invitation mail says to one invitee only; the rest is the same for every reader
    of the same language and time zone."""

    greeting: str
    links: dict[str, str]
    feed: FeedAddresses | None
    stands_in_for: str = ""


def personal_values(invitation: Invitation, kind: str) -> Personal:
    expert = invitation.expert
    return Personal(
        greeting=letter_opening(expert, expert.language),
        links=rsvp_links(invitation),
        feed=expert_feed_addresses(expert),
        stands_in_for=_principal_name(invitation) if kind == MailKind.DEPUTY_INVITED else "",
    )


@dataclass(frozen=True)
class MailTexts:
    subject: str
    text: str
    html: str
    description: str  # of the calendar entry


def mail_texts(
    invitation: Invitation, kind: str, details: dict | None, personal: Personal
) -> MailTexts:
    """The mail's texts for the invitee, in their language and zone, saying `personal`."""
    expert = invitation.expert
    session = invitation.session
    language = expert.language
    details = details or {}
    with force_locale(language):
        context = {
            "kind": kind,
            "kinds": MailKind,
            "invitation": invitation,
            "session": session,
            "expert": expert,
            "language": language,
            "greeting": personal.greeting,
            "session_title": session.title_for(language),
            "description": session.description_for(language),
            "feed": personal.feed,
            "when": describe_when(session, language, expert.timezone),
            "deadline": format_deadline(session.rsvp_deadline, language, expert.timezone),
            "links": personal.links,
            "location": calendar.location_text(session),
            "platform": current_app.config["PLATFORM_NAME"],
            "reply_address": calendar.organizer_address(),
            "stands_in_for": personal.stands_in_for,
            "changes": describe_changes(
                details.get("changes", {}), session, language, expert.timezone
            ),
            "major": details.get("major", True),
            "reason": details.get("reason", ""),
            "asks_for_answer": _asks_for_answer(kind, details.get("major", True)),
        }
        return MailTexts(
            subject=SUBJECTS[kind](session.title_for(language)),
            text=render_template("invitations/mail/message.txt", **context),
            html=render_template("invitations/mail/message.html", **context),
            description=render_template("invitations/mail/calendar_description.txt", **context),
        )


def calendar_object(invitation: Invitation, kind: str, description: str) -> bytes | None:
    method = CALENDAR_METHODS.get(kind)
    if method is None:
        return None
    if method == "REQUEST":
        return calendar.invitation_request(invitation, description)
    return calendar.invitation_cancel(invitation, description)


def compose_invitation_mail(
    invitation: Invitation, kind: str, message_id: str | None = None, details: dict | None = None
) -> EmailMessage:
    """One message of `kind` for the invitee, in their language, ready for the outbox."""
    texts = mail_texts(invitation, kind, details, personal_values(invitation, kind))
    return mail_message(invitation, kind, texts, message_id)


def mail_message(
    invitation: Invitation, kind: str, texts: MailTexts, message_id: str | None
) -> EmailMessage:
    expert = invitation.expert
    message = outbox.compose(
        mailbox(expert.email, expert.full_name),
        texts.subject,
        texts.text,
        html=None,
        sender=_sender(),
        message_id=message_id,
    )
    message.set_content(texts.text, cte="quoted-printable")
    message.add_alternative(texts.html, subtype="html", cte="quoted-printable")
    ics = calendar_object(invitation, kind, texts.description)
    if ics is not None:
        message.add_alternative(
            ics,
            maintype="text",
            subtype="calendar",
            cte="base64",
            params={"method": CALENDAR_METHODS[kind], "charset": "UTF-8"},
        )
        message.add_attachment(
            ics, maintype="application", subtype="ics", filename="invite.ics", cte="base64"
        )
    # Set last: setting the content clears every Content-* header.
    message["Content-Language"] = expert.language
    return message


def _asks_for_answer(kind: str, major: bool) -> bool:
    """Whether the mail offers the answer buttons: not where nothing is to be answered (a
    cancellation, a confirmation, an update that keeps answers valid)."""
    if kind == MailKind.UPDATE:
        return major
    return kind not in (
        MailKind.CANCELLATION,
        MailKind.WITHDRAWAL,
        MailKind.ANSWER_CONFIRMED,
        MailKind.ANSWER_REMOVED,
    )


def _principal_name(deputy_invitation: Invitation) -> str:
    """The name of the invitee who sent this deputy, if one did."""
    principal = db.session.scalar(
        sa.select(Invitation).where(Invitation.delegated_to_id == deputy_invitation.id)
    )
    return principal.expert.full_name if principal is not None else ""


def _sender() -> str:
    """The organiser's mailbox, named after the platform (checked for a header: see
    outbox.headers)."""
    return str(mailbox(calendar.organizer_address(), current_app.config["PLATFORM_NAME"]))


def queue_invitation_mail(invitation: Invitation, kind: str, details: dict | None = None) -> None:
    """Queue one mail about `invitation` in the current transaction; it is composed after the
    commit, from the invitation and session as they are then (a calendar wants the newest
    state anyway), and from `details` (JSON), what it must say beyond that state."""
    outbox.queue_for_composition(
        kind, invitation.expert.email, _sender(), invitation_id=invitation.id, details=details
    )


def queue_invitation_mails(invitations: list[Invitation], kind: str) -> None:
    """`queue_invitation_mail` for many invitations at once (one mail each), as inviting a
    whole plenary does."""
    outbox.queue_many_for_composition(
        kind,
        _sender(),
        [(invitation.expert.email, invitation.id) for invitation in invitations],
    )
