"""A deliverer killed in the middle of a batch loses nothing and repeats at most the one
message it was handing over when it died."""

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from freezegun import freeze_time

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.outbox import services
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.support.smtp import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 12
KILL_AT = 5  # the deliverer dies while the server takes this message


class KillingSink:
    """Keeps every message; at message `KILL_AT` it kills the deliverer before answering."""

    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.victim: subprocess.Popen | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
            if len(self.recipients) == KILL_AT and self.victim is not None:
                os.kill(self.victim.pid, signal.SIGKILL)
        return "250 Message accepted for delivery"


def test_killed_deliverer_loses_nothing_and_repeats_at_most_one(app):
    for number in range(MESSAGES):
        services.queue(
            "test", services.compose(f"person{number}@example.org", f"Nachricht {number}", "Text")
        )
    db.session.commit()  # no mail server configured: everything waits in the outbox

    sink = KillingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        environment = os.environ | {
            "FLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(port),
            "FLASK_SECRET_KEY": app.config["SECRET_KEY"],
            "FLASK_SERVER_NAME": app.config["SERVER_NAME"],
        }
        sink.victim = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output, _ = sink.victim.communicate(timeout=60)
        assert sink.victim.returncode == -signal.SIGKILL, output.decode(errors="replace")

        db.session.expire_all()
        states = Counter(db.session.scalars(db.select(OutboxMessage.state)))
        # The four answered messages are recorded as sent; the rest are still claimed.
        assert states[DeliveryState.SENT] == KILL_AT - 1
        assert states[DeliveryState.SENDING] == MESSAGES - (KILL_AT - 1)

        # Once the dead deliverer's claims expire, the next run sends what is left.
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
        sink.victim = None
        assert services.deliver_due() == (0, 0)  # the claims are still live
        with freeze_time(utcnow() + timedelta(minutes=11)):
            assert services.deliver_due() == (MESSAGES - (KILL_AT - 1), 0)
    finally:
        controller.stop()

    received = Counter(sink.recipients)
    assert set(received) == {f"person{number}@example.org" for number in range(MESSAGES)}
    repeated = [address for address, count in received.items() if count > 1]
    # Only the message in flight when the deliverer died can arrive twice.
    assert repeated == [f"person{KILL_AT - 1}@example.org"]
    db.session.expire_all()
    assert set(db.session.scalars(db.select(OutboxMessage.state))) == {DeliveryState.SENT}
