"""Composing the queued mails of an invitation's life, once for each group of alike readers.

A bulk change (inviting a plenary, moving it, reminding those who have not answered) queues one
mail per invitee. Their texts differ between readers of one language and time zone only in the
personal values (`mail.Personal`: greeting, answer links, feed address), and their messages only
in those texts, the recipient and the Message-ID. So for each group the templates are rendered
once with stand-ins for the personal values, and the first message is written and checked in
full (`outbox.skeletons`); each further invitee's mail is the group's rendering with their values
put in, and the first message's checked bytes with their To, Message-ID and parts. The calendar
object is each invitee's own (UID, SEQUENCE, ATTENDEE, PARTSTAT).

A group proves itself on its first invitee: the rendering with their values put in must equal
their own rendering, and the skeleton must give back their message byte for byte; otherwise
each mail of the group is composed on its own, as any other kind is.
"""

import json
import logging
import secrets
from dataclasses import dataclass, replace

import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.orm import selectinload

from eventsys.experts.feed_addresses import FeedAddresses
from eventsys.extensions import db
from eventsys.invitations import mail
from eventsys.invitations.calendar import CalendarSkeleton
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.outbox import headers
from eventsys.outbox import services as outbox
from eventsys.outbox.models import OutboxMessage
from eventsys.outbox.skeletons import Skeleton, SkeletonMismatch, Written

log = logging.getLogger(__name__)

# The kinds a bulk change mails to many invitees at once. (Confirmations of an answer say what
# the invitee answered, a deputy's invitation whom they stand in for: those are written alone.)
SHARED_KINDS = frozenset(
    {
        MailKind.INVITATION,
        MailKind.UPDATE,
        MailKind.CANCELLATION,
        MailKind.DEADLINE_REMINDER,
        MailKind.EVE_REMINDER,
    }
)
_GROUPS = "invitation_mail_groups"
_LOADED = "invitations_loaded"


@dataclass(frozen=True)
class _StandIns:
    """Unguessable words that stand in for the personal values in a group's rendering: letters
    and digits only, so that no escaping, encoding or template filter changes them."""

    personal: mail.Personal
    words: tuple[str, ...]

    @classmethod
    def new(cls, with_feed: bool) -> "_StandIns":
        """Stand-ins for a group whose readers have a feed address, or have none."""
        prefix = "p" + secrets.token_hex(8)
        words = tuple(f"{prefix}x{number}x" for number in range(7))
        personal = mail.Personal(
            greeting=words[0],
            links={"accepted": words[1], "tentative": words[2], "declined": words[3], "": words[4]},
            feed=FeedAddresses(https=words[5], webcal=words[6]) if with_feed else None,
        )
        return cls(personal, words)

    def values(self, personal: mail.Personal) -> tuple[str, ...]:
        links, feed = personal.links, personal.feed
        return (
            personal.greeting,
            links["accepted"],
            links["tentative"],
            links["declined"],
            links[""],
            feed.https if feed else "",
            feed.webcal if feed else "",
        )


@dataclass
class _Group:
    stand_ins: _StandIns
    rendering: mail.MailTexts
    skeleton: Skeleton
    sender: str
    calendar: CalendarSkeleton | None  # for kinds that carry a calendar object

    def texts(self, personal: mail.Personal) -> mail.MailTexts:
        pairs = list(zip(self.stand_ins.words, self.stand_ins.values(personal), strict=True))
        text, html, description = (
            self.rendering.text,
            self.rendering.html,
            self.rendering.description,
        )
        for word, value in pairs:
            text = text.replace(word, value)
            html = html.replace(word, str(escape(value)))
            description = description.replace(word, value)
        return replace(self.rendering, text=text, html=html, description=description)


def _group_key(entry: OutboxMessage, invitation: Invitation) -> tuple:
    expert = invitation.expert
    return (
        entry.kind,
        invitation.session_id,
        expert.language,
        expert.timezone,
        expert.feed_token is not None,  # the mail offers the feed address or does not
        json.dumps(entry.details, sort_keys=True),
        entry.link_base,
    )


def load_invitations(entries: list[OutboxMessage]) -> None:
    """Load the invitations of a batch with their experts and sessions, in three queries, so
    that composing each finds them in the session (which holds them only while the batch
    does)."""
    ids = {entry.invitation_id for entry in entries if entry.invitation_id}
    if ids:
        outbox.shared_in_batch()[_LOADED] = db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.id.in_(ids))
            .options(selectinload(Invitation.expert), selectinload(Invitation.session))
        ).all()


@outbox.register_composer(*mail.SUBJECTS, prepare=load_invitations)
def compose_queued(entry: OutboxMessage) -> Written:
    """The queued mail `entry`, from its invitation and session as they are now."""
    invitation = db.session.get(Invitation, entry.invitation_id) if entry.invitation_id else None
    if invitation is None:
        raise LookupError("the invitation of this message no longer exists")
    if entry.kind not in SHARED_KINDS:
        return _alone(invitation, entry)
    groups = outbox.shared_in_batch().setdefault(_GROUPS, {})
    key = _group_key(entry, invitation)
    if key not in groups:
        written, groups[key] = _first_of_group(invitation, entry)
        return written
    group = groups[key]
    if group is None:  # the group did not prove itself: each mail on its own
        return _alone(invitation, entry)
    return _from_group(group, invitation, entry)


def _alone(invitation: Invitation, entry: OutboxMessage) -> Written:
    message = mail.compose_invitation_mail(
        invitation, entry.kind, message_id=entry.message_id, details=entry.details
    )
    return Written.of(message)


def _first_of_group(invitation: Invitation, entry: OutboxMessage) -> tuple[Written, _Group | None]:
    """The first invitee's mail, written and checked in full, and the group made from it (None
    if it does not prove itself)."""
    personal = mail.personal_values(invitation, entry.kind)
    texts = mail.mail_texts(invitation, entry.kind, entry.details, personal)
    message = mail.mail_message(invitation, entry.kind, texts, entry.message_id)
    raw = headers.serialise(message)
    written = Written.of(message, raw)
    stand_ins = _StandIns.new(with_feed=personal.feed is not None)
    rendering = mail.mail_texts(invitation, entry.kind, entry.details, stand_ins.personal)
    try:
        group = _Group(
            stand_ins,
            rendering,
            Skeleton(message, raw),
            written.sender,
            _calendar_skeleton(message, invitation, entry.kind, texts.description),
        )
    except (SkeletonMismatch, ValueError) as error:
        log.warning("Invitation mails of kind %s composed one by one: %s", entry.kind, error)
        return written, None
    if group.texts(personal) != texts:
        log.warning(
            "Invitation mails of kind %s composed one by one: the templates use a personal "
            "value other than as it is",
            entry.kind,
        )
        return written, None
    return written, group


def _calendar_skeleton(
    message, invitation: Invitation, kind: str, description: str
) -> CalendarSkeleton | None:
    """The first invitee's calendar object as the group's pattern (ValueError if it cannot be)."""
    method = mail.CALENDAR_METHODS.get(kind)
    if method is None:
        return None
    (ics,) = [
        part.get_payload(decode=True)
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    return CalendarSkeleton(ics, invitation, description, method)


def _from_group(group: _Group, invitation: Invitation, entry: OutboxMessage) -> Written:
    expert = invitation.expert
    recipient = headers.mailbox(expert.email, expert.full_name)  # refused before anything else
    texts = group.texts(mail.personal_values(invitation, entry.kind))
    bodies: list[str | bytes] = [texts.text, texts.html]
    if group.calendar is not None:
        ics = group.calendar.fill(invitation, texts.description)
        bodies += [ics, ics]  # the calendar part and the invite.ics attachment
    raw = group.skeleton.fill(recipient, entry.message_id, bodies)
    return Written(
        raw=raw, sender=group.sender, recipient=recipient.addr_spec, subject=texts.subject
    )
