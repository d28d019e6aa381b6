"""A real SMTP server (aiosmtpd) on a free loopback port; tests read what arrived.

One server runs per test process (its port stays the same, so the apps configured with it are
built once); each test gets a sink of its own, in which it finds only its own mail.
"""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.raw)


@dataclass
class MailSink:
    """Collects every message the server accepts; `refuse` makes it answer 451 for a while."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Try again later"
        with self.lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [mail.message for mail in self.received if address in mail.envelope_to]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    sink: MailSink


class CurrentSink:
    """The server's handler: hands each message to the sink of the test that runs now."""

    def __init__(self) -> None:
        self.sink = MailSink()

    async def handle_DATA(self, server, session, envelope):
        return await self.sink.handle_DATA(server, session, envelope)


@dataclass
class _RunningServer:
    host: str
    port: int
    handler: CurrentSink


@pytest.fixture(scope="session")
def _smtp_controller() -> Iterator[_RunningServer]:
    handler = CurrentSink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield _RunningServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller) -> SmtpServer:
    sink = MailSink()
    _smtp_controller.handler.sink = sink
    return SmtpServer(_smtp_controller.host, _smtp_controller.port, sink)


@pytest.fixture
def mail_config(smtp_server) -> dict:
    """Settings that point the app at the test's SMTP server."""
    return {"MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port}
