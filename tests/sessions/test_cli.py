"""`flask sessions list`."""

from datetime import UTC, datetime

from eventsys.extensions import db
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_session


def test_list_prints_id_berlin_start_status_and_title(runner, app):
    summer = make_session(
        title="Workshop Datenstrategien",
        starts_at=datetime(2027, 7, 1, 8, 0, tzinfo=UTC),
        status=SessionStatus.CONFIRMED,
    )
    winter = make_session(title="5. Plenum", starts_at=datetime(2027, 1, 14, 13, 0, tzinfo=UTC))
    db.session.commit()

    result = runner.invoke(args=["sessions", "list"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{winter.id}\t14.01.2027 14:00\tplanned\t5. Plenum",
        f"{summer.id}\t01.07.2027 10:00\tconfirmed\tWorkshop Datenstrategien",
    ]


def test_list_prints_nothing_without_sessions(runner, app):
    result = runner.invoke(args=["sessions", "list"])

    assert result.exit_code == 0
    assert result.output == ""
