"""Cross-feature signals: every receiver is connected once, however many apps a process builds."""

from eventsys import create_app, signals
from eventsys.charters.intake import receive_minutes_version
from eventsys.invitations.session_changes import tell_the_invitees


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
