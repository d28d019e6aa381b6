"""Choosing whom to invite, and showing what they would receive before anything is sent.

Organisers choose experts one by one, by working group, by stakeholder group, "everyone invited
last time" or simply everyone; the choices add up. Nothing here changes the database: the plan
says who would be invited, who is skipped and why, and shows the mail in German and English as
the experts would get it. Whatever the number chosen, the plan is counted by the database and
names only the first of them; the send resolves the choice again and compares fingerprints.
"""

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from eventsys.database import utcnow
from eventsys.experts.models import Expert, Organisation, WorkingGroup, working_group_members
from eventsys.experts.search import matches_every_word
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import mail
from eventsys.invitations.models import Invitation
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus

PREVIEW_LANGUAGES = ("de", "en")


def closed_for_invitations(session: Session) -> str:
    """Why nobody can be invited to `session` now, or "" if invitations can go out.

    The same rules as `services.invite_experts`, told before the organiser chooses anyone.
    """
    if session.status == SessionStatus.CANCELLED:
        return _("The session is cancelled; nobody can be invited.")
    if session.ends_at <= utcnow():
        return _("The session is over; nobody can be invited any more.")
    return ""


@dataclass(frozen=True)
class ExpertChoice:
    """What an organiser ticked; the experts chosen are the union of all of it."""

    expert_ids: Sequence[int] = ()
    working_group_ids: Sequence[int] = ()
    stakeholder_groups: Sequence[StakeholderGroup] = ()
    last_time: bool = False
    everyone: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.expert_ids
            or self.working_group_ids
            or self.stakeholder_groups
            or self.last_time
            or self.everyone
        )


def _by_name(query: sa.Select) -> sa.Select:
    return query.order_by(Expert.sort_key, Expert.id)


def previous_session(session: Session) -> Session | None:
    """The most recent session before `session` that has invitations not withdrawn."""
    invited = (
        sa.select(Invitation.id)
        .where(Invitation.session_id == Session.id, Invitation.withdrawn_at.is_(None))
        .exists()
    )
    return db.session.scalar(
        sa.select(Session)
        .where(Session.starts_at < session.starts_at, Session.id != session.id, invited)
        .order_by(Session.starts_at.desc(), Session.id.desc())
        .limit(1)
    )


def _invitees_of(session_id: int) -> sa.Select:
    return sa.select(Invitation.expert_id).where(
        Invitation.session_id == session_id, Invitation.withdrawn_at.is_(None)
    )


def count_invitees(session: Session) -> int:
    """How many experts hold an invitation to `session` that has not been withdrawn."""
    invitees = _invitees_of(session.id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(invitees))


def _chosen(session: Session, choice: ExpertChoice) -> sa.ColumnElement[bool] | None:
    """The condition on experts that `choice` names, or None when it names nobody. "Last time"
    means the invitees of `previous_session(session)`."""
    conditions = []
    if choice.everyone:
        conditions.append(Expert.active.is_(True))
    if choice.expert_ids:
        conditions.append(Expert.id.in_(list(choice.expert_ids)))
    if choice.working_group_ids:
        conditions.append(
            Expert.working_groups.any(WorkingGroup.id.in_(list(choice.working_group_ids)))
        )
    if choice.stakeholder_groups:
        conditions.append(
            Expert.organisation.has(
                Organisation.stakeholder_group.in_(list(choice.stakeholder_groups))
            )
        )
    if choice.last_time:
        earlier = previous_session(session)
        if earlier is not None:
            conditions.append(Expert.id.in_(_invitees_of(earlier.id)))
    return sa.or_(*conditions) if conditions else None


def chosen_experts(session: Session, choice: ExpertChoice) -> list[Expert]:
    """The experts `choice` names, each once, by surname, inactive ones included (they are
    reported, not invited)."""
    chosen = _chosen(session, choice)
    if chosen is None:
        return []
    return list(
        db.session.scalars(
            _by_name(sa.select(Expert).where(chosen)).options(selectinload(Expert.organisation))
        )
    )


@dataclass(frozen=True)
class MailPreview:
    """The invitation one reader would get: `shown_as` names whose copy it is."""

    language: str
    shown_as: str
    subject: str
    text: str


def _stand_in(expert: Expert, language: str) -> Expert:
    """An unsaved copy of `expert` reading `language`, to show a language nobody chosen reads."""
    return Expert(
        title=expert.title,
        first_name=expert.first_name,
        last_name=expert.last_name,
        email=expert.email,
        language=language,
        timezone=expert.timezone,
    )


def preview_mail(session: Session, expert: Expert) -> MailPreview:
    """The invitation `expert` would receive, composed as for real on an unsaved invitation."""
    message = mail.compose_invitation_mail(
        Invitation(session=session, expert=expert), mail.MailKind.INVITATION
    )
    return MailPreview(
        language=expert.language,
        shown_as=expert.full_name,
        subject=str(message["Subject"]),
        text=message.get_body(preferencelist=("plain",)).get_content(),
    )


def experts_with_ids(ids: Iterable[int]) -> list[Expert]:
    """The experts with these ids (unknown ids are left out), by surname."""
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            _by_name(sa.select(Expert).where(Expert.id.in_(ids))).options(
                selectinload(Expert.organisation)
            )
        )
    )


def working_groups_with_sizes() -> list[tuple[WorkingGroup, int]]:
    """Every working group by name with its number of active members."""
    active_members = sa.func.count(Expert.id).filter(Expert.active.is_(True))
    query = (
        sa.select(WorkingGroup, active_members)
        .outerjoin(
            working_group_members, working_group_members.c.working_group_id == WorkingGroup.id
        )
        .outerjoin(Expert, Expert.id == working_group_members.c.expert_id)
        .group_by(WorkingGroup.id)
        .order_by(WorkingGroup.name)
    )
    return [(group, int(count)) for group, count in db.session.execute(query)]


def working_groups_named(names: Iterable[str]) -> tuple[list[WorkingGroup], list[str]]:
    """The working groups called `names` (ignoring letter case), and the names not found."""
    by_name = {
        group.name.casefold(): group
        for group in db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.name))
    }
    found, unknown = [], []
    for name in names:
        group = by_name.get(name.strip().casefold())
        if group is None:
            unknown.append(name)
        elif group not in found:
            found.append(group)
    return found, unknown


# --- the invite page at national scale: a bounded preview, the choice resolved again on send --

# The preview names this many of each list, and says how many more there are.
PREVIEW_NAMES = 100
# Experts chosen one by one that a form carries; a group covers more.
SINGLE_EXPERTS_LIMIT = 500
SEARCH_PAGE_SIZE = 20


def selection_digest(expert_ids: Iterable[int]) -> str:
    """A fingerprint of the experts to invite, in order: the send compares it with the one the
    preview showed, so that it invites exactly those."""
    return hashlib.sha256(",".join(str(i) for i in expert_ids).encode()).hexdigest()


@dataclass
class SelectionPlan:
    """Who `choice` would invite and who it skips, counted by the database; the first
    PREVIEW_NAMES of each kept by name, with the mail previews."""

    to_invite_count: int = 0
    already_invited_count: int = 0
    inactive_count: int = 0
    to_invite: list[Expert] = field(default_factory=list)
    already_invited: list[Expert] = field(default_factory=list)
    inactive: list[Expert] = field(default_factory=list)
    previews: list[MailPreview] = field(default_factory=list)
    digest: str = ""

    @property
    def more_to_invite(self) -> int:
        return self.to_invite_count - len(self.to_invite)

    @property
    def more_already_invited(self) -> int:
        return self.already_invited_count - len(self.already_invited)

    @property
    def more_inactive(self) -> int:
        return self.inactive_count - len(self.inactive)


def _current_invitees(session: Session) -> sa.Select:
    # Withdrawn invitations may be given again.
    return _invitees_of(session.id)


def _kinds(session: Session, chosen: sa.ColumnElement[bool]) -> dict[str, sa.ColumnElement]:
    invited = Expert.id.in_(_current_invitees(session))
    return {
        "to_invite": sa.and_(chosen, Expert.active.is_(True), ~invited),
        "already_invited": sa.and_(chosen, Expert.active.is_(True), invited),
        "inactive": sa.and_(chosen, Expert.active.is_(False)),
    }


def _first_by_name(condition: sa.ColumnElement, limit: int) -> list[Expert]:
    return list(
        db.session.scalars(
            _by_name(sa.select(Expert).where(condition))
            .options(selectinload(Expert.organisation))
            .limit(limit)
        )
    )


def _count(condition: sa.ColumnElement) -> int:
    return db.session.scalar(sa.select(sa.func.count(Expert.id)).where(condition))


def plan_selection(session: Session, choice: ExpertChoice) -> SelectionPlan:
    """Sort the experts `choice` names as `invite_experts` will (inactive ones and those
    already invited are skipped), in a fixed number of queries however many they are. Changes
    nothing."""
    chosen = _chosen(session, choice)
    if chosen is None:
        return SelectionPlan(digest=selection_digest([]))
    kinds = _kinds(session, chosen)
    ids = list(db.session.scalars(_by_name(sa.select(Expert.id).where(kinds["to_invite"]))))
    plan = SelectionPlan(
        to_invite_count=len(ids),
        already_invited_count=_count(kinds["already_invited"]),
        inactive_count=_count(kinds["inactive"]),
        to_invite=_first_by_name(kinds["to_invite"], PREVIEW_NAMES),
        already_invited=_first_by_name(kinds["already_invited"], PREVIEW_NAMES),
        inactive=_first_by_name(kinds["inactive"], PREVIEW_NAMES),
        digest=selection_digest(ids),
    )
    if plan.to_invite:
        for language in PREVIEW_LANGUAGES:
            reader = db.session.scalar(
                _by_name(
                    sa.select(Expert).where(kinds["to_invite"], Expert.language == language)
                ).limit(1)
            )
            plan.previews.append(
                preview_mail(session, reader or _stand_in(plan.to_invite[0], language))
            )
    return plan


def experts_to_send(session: Session, choice: ExpertChoice, digest: str) -> list[Expert] | None:
    """The experts `choice` would invite now, if they are exactly those of the preview whose
    fingerprint is `digest`; None when the selection has changed since (someone joined a
    group, was invited meanwhile, was deactivated …)."""
    chosen = _chosen(session, choice)
    if chosen is None:
        return None
    experts = list(
        db.session.scalars(
            _by_name(sa.select(Expert).where(_kinds(session, chosen)["to_invite"])).options(
                selectinload(Expert.organisation)
            )
        )
    )
    if not experts or not hmac.compare_digest(
        selection_digest(expert.id for expert in experts), digest
    ):
        return None
    return experts


def search_experts_to_choose(text: str, page: int, per_page: int = SEARCH_PAGE_SIZE):
    """A page of active experts whose name, e-mail address or organisation holds every word of
    `text`, by surname, for choosing them one by one."""
    query = (
        sa.select(Expert)
        .join(Expert.organisation)
        .where(
            Expert.active.is_(True),
            matches_every_word(
                text, Expert.first_name, Expert.last_name, Expert.email, Organisation.name
            ),
        )
        .options(contains_eager(Expert.organisation))
    )
    return db.paginate(_by_name(query), page=page, per_page=per_page, error_out=False)


def invited_among(session: Session, expert_ids: Iterable[int]) -> set[int]:
    """Those of `expert_ids` who hold an invitation to `session` (not withdrawn)."""
    ids = list(expert_ids)
    if not ids:
        return set()
    return set(db.session.scalars(_invitees_of(session.id).where(Invitation.expert_id.in_(ids))))
