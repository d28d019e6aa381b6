"""A long-running receiver for replies: an LMTP server (RFC 2033) on a local port, to which a
mail server (Postfix's `lmtp:` transport, Dovecot's LMTP proxy) hands every message for the
reply address.

The app is built once, so a message costs what `receiving.receive` costs (milliseconds), not the
second a `flask replies ingest` process spends starting. Each message goes through `receive`,
with every check it makes (the sender's authenticity, what a calendar part may change), and
is committed before the mail server hears that it was taken; LMTP then answers once per
recipient:

- 250: stored (applied, kept for a person, or received before);
- 552 (5.3.4): longer than REPLIES_MAX_MESSAGE_BYTES; the mail server returns it to its sender;
- 500: a line longer than RFC 5321 allows (aiosmtpd refuses it before we see it), or 554
  (5.6.0) for an empty message: nothing that could be read arrived;
- 451 (4.3.0): the database could not be used, or storing failed; the mail server keeps the
  message and delivers it again later (a message stored meanwhile is recognised by its bytes).

Messages are taken in one after the other by one worker thread, so that replies to the same
invitation are applied in the order they arrived and SQLite is written by one writer; the
event loop meanwhile goes on reading the other connections.
"""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.lmtp import LMTP
from flask import Flask

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.replies.receiving import database_unreachable, receive, size_refusal
from eventsys.replies.states import Source

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8024
# One message goes to the reply address; a mail server that names more recipients at once gets
# them all answered, up to this many (then 452: it sends the rest in another transaction).
MAX_RECIPIENTS = 50
# Seconds an idle connection stays open (RFC 5321 asks at least 5 minutes of a server).
IDLE_TIMEOUT = 300


class ReplyHandler:
    """The aiosmtpd handler: each message's DATA taken in by `take_in` on the worker thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmtp-replies")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        reply = await asyncio.get_running_loop().run_in_executor(self._worker, self.take_in, raw)
        # LMTP answers DATA once for every recipient accepted, in their order; the message is
        # stored once whoever it was for, so each gets the same answer.
        return "\r\n".join([reply] * len(envelope.rcpt_tos))

    def take_in(self, raw: bytes) -> str:
        """Store one message and commit; return the LMTP reply line. Never raises: whatever
        goes wrong becomes a reply, and the server goes on with the next message."""
        try:
            with self.app.app_context(), acting_as("lmtp"):
                return self._take_in(raw)
        except Exception:
            log.exception("LMTP: a message could not be taken in")
            return "451 4.3.0 Not stored; try again later"

    def _take_in(self, raw: bytes) -> str:
        if problem := size_refusal(raw):
            log.info("LMTP: refused, %s", problem)
            return f"552 5.3.4 Refused: {problem}"
        if not raw.strip():
            return "554 5.6.0 Refused: the message is empty"
        try:
            receipt = receive(raw, Source.PIPE)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            if database_unreachable(error):
                log.warning("LMTP: the database cannot be used, deferred: %s", error)
                return "451 4.3.0 The reply store is unavailable; try again later"
            log.exception("LMTP: a message could not be stored")
            return "451 4.3.0 Not stored; try again later"
        message = receipt.message
        if receipt.repeated:
            return f"250 2.0.0 Received before as message {message.id}"
        return f"250 2.0.0 Stored as message {message.id}: {message.outcome.value}"

    async def finish(self) -> None:
        """Wait until the messages handed to the worker so far are taken in."""
        await asyncio.get_running_loop().run_in_executor(self._worker, lambda: None)

    def close(self) -> None:
        self._worker.shutdown(wait=True)


class ReplyServer:
    """The LMTP server on its own event loop in a thread: `start()` returns once it listens
    (on `port`, the one chosen when 0 was asked for), `stop()` waits for the message being taken
    in and closes the connections."""

    def __init__(self, app: Flask, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.handler = ReplyHandler(app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _protocol(self) -> LMTP:
        return LMTP(
            self.handler,
            data_size_limit=int(self.app.config["REPLIES_MAX_MESSAGE_BYTES"]),
            # Message bytes are kept as they came (8BITMIME, SMTPUTF8), never decoded here.
            enable_SMTPUTF8=True,
            decode_data=False,
            # Not socket.getfqdn(): that may wait for DNS; the name only appears in greetings.
            hostname="eventsys-replies",
            ident="eventsys replies",
            timeout=IDLE_TIMEOUT,
            loop=self._loop,
        )

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(self._protocol, host=self.host, port=self.port)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as error:
                self._error = error
                return
            finally:
                self._started.set()
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        """No new connections; the messages already received are stored (their senders get
        their answer); then the open connections are ended."""
        assert self._server is not None
        self._server.close()
        await self.handler.finish()
        connections = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await self._server.wait_closed()
        self._loop.stop()

    def start(self) -> None:
        """Listen; raises OSError when the address cannot be bound (in use, not local)."""
        self._thread = threading.Thread(target=self._run, name="lmtp-server", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            self.handler.close()
            raise self._error

    def stop(self) -> None:
        if self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        self._thread.join()
        self._thread = None
        self.handler.close()
