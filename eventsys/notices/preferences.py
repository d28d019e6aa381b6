"""Who hears about a session's answers, and how: each responsible organiser's choice."""

import sqlalchemy as sa

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.notices.models import DEFAULT_CHOICE, AnswerNoticePreference, NoticeChoice
from eventsys.sessions.models import Session, session_organisers


class NotResponsible(PermissionError):
    """Only the organisers responsible for a session choose how they hear about its answers."""


def is_responsible(session: Session, user: User) -> bool:
    """Whether `user` is one of the organisers responsible for `session`."""
    return any(organiser.id == user.id for organiser in session.organisers)


def choice_of(session: Session, user: User) -> NoticeChoice:
    """How `user` hears about `session`'s answers (the default until they choose)."""
    stored = db.session.scalar(
        sa.select(AnswerNoticePreference.choice).where(
            AnswerNoticePreference.session_id == session.id,
            AnswerNoticePreference.user_id == user.id,
        )
    )
    return stored or DEFAULT_CHOICE


def effective_choice() -> sa.ColumnElement:
    """The choice as SQL, for a query joined to `session_organisers` and outer-joined to
    `AnswerNoticePreference` (see `organisers_choosing`)."""
    return sa.func.coalesce(AnswerNoticePreference.choice, DEFAULT_CHOICE.value)


def _organisers_with_preferences():
    return (
        sa.select(User)
        .join(session_organisers, session_organisers.c.user_id == User.id)
        .outerjoin(
            AnswerNoticePreference,
            sa.and_(
                AnswerNoticePreference.user_id == User.id,
                AnswerNoticePreference.session_id == session_organisers.c.session_id,
            ),
        )
    )


def organisers_choosing(session: Session, choice: NoticeChoice) -> list[User]:
    """The active organisers responsible for `session` who chose `choice`, in one query."""
    return list(
        db.session.scalars(
            _organisers_with_preferences()
            .where(
                session_organisers.c.session_id == session.id,
                User.active.is_(True),
                effective_choice() == choice.value,
            )
            .order_by(User.id)
        )
    )


def set_choice(session: Session, user: User, choice: NoticeChoice) -> bool:
    """Record how `user` hears about `session`'s answers; False if that was already so.

    Raises NotResponsible unless `user` is responsible for the session: an organiser sets
    only their own choice, and only for their own sessions.
    """
    if not is_responsible(session, user):
        raise NotResponsible(f"user {user.id} is not responsible for session {session.id}")
    preference = db.session.get(AnswerNoticePreference, (user.id, session.id))
    before = preference.choice if preference is not None else DEFAULT_CHOICE
    if preference is None:
        preference = AnswerNoticePreference(user_id=user.id, session_id=session.id)
        db.session.add(preference)
    elif preference.choice == choice:
        return False
    preference.choice = choice
    preference.chosen_at = utcnow()
    db.session.flush()
    audit.record(
        "notices.choice_changed",
        session,
        f"{user.email} hears about answers to session {session.id}: {choice.value}",
        {"answer_notices": [before.value, choice.value]},
    )
    return True
