"""Cross-feature signals: every receiver is connected once, however many apps a process builds."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventsys import create_app, signals
from eventsys.charters.intake import receive_minutes_version
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.session_changes import tell_the_invitees
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions import services as sessions
from eventsys.sessions.services import SessionDetails
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_expert, make_organisation, make_session


def test_each_receiver_is_connected_once_however_many_apps_are_built(app, tmp_path):
    for number in range(2):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            },
            instance_path=str(tmp_path / f"instance-{number}"),
        )
    anything = object()
    assert list(signals.session_changed.receivers_for(anything)) == [tell_the_invitees]
    assert list(signals.minutes_approved.receivers_for(anything)) == [receive_minutes_version]


def test_receivers_act_in_the_senders_transaction(app):
    """The calendar update for a moved session is queued before the organiser's commit, and a
    rollback takes it back with the change."""
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"))
    session = make_session(
        starts_at=datetime(2030, 7, 1, 8, 0, tzinfo=UTC),
        status=SessionStatus.CONFIRMED,
        venue_address="Rathaus, Köln",
    )
    db.session.commit()
    invitations.invite_experts(session, [expert])
    db.session.commit()
    queued_before = outbox_count()

    details = SessionDetails(
        **{detail.name: getattr(session, detail.name) for detail in fields(SessionDetails)}
        | {"starts_at": session.starts_at + timedelta(hours=1)}
        | {"ends_at": session.ends_at + timedelta(hours=1)}
    )
    sessions.update_session(session, details)
    assert outbox_count() == queued_before + 1  # the update, in the open transaction
    db.session.rollback()
    assert outbox_count() == queued_before


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
