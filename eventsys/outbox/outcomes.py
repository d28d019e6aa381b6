"""Recording that a message was sent, once per message, at the lowest cost the database allows.

Nearly every outcome is "sent", and it is committed before the next message goes out, so that a
deliverer that crashes can repeat at most the one message in flight. Through SQLAlchemy's
execution layer each of these costs more than handing the message to the mail server; compiled
once and handed to the database driver, it costs a fraction of that.
"""

from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa

from eventsys.outbox.models import DeliveryState, OutboxMessage


class SentRecorder:
    """Marks messages sent, one statement each, on a connection of its own in autocommit mode
    (one round trip to the database per message, where BEGIN … COMMIT would take two)."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._compiled = _sent_statement().compile(dialect=connection.dialect)
        self._sql = str(self._compiled)
        self._driver_connection = connection.connection.driver_connection
        self._postgresql = connection.dialect.name == "postgresql"
        if self._postgresql:
            # As with SQLite's synchronous=NORMAL, a committed outcome survives a crash of the
            # deliverer; only a crash of the database server itself within a fraction of a
            # second could lose it, and then the message would go out again. Waiting for the
            # disk at every message would halve the delivery rate.
            self._execute("SET synchronous_commit TO OFF", ())

    def sent(self, message_id: int, attempts: int) -> None:
        parameters = self._compiled.construct_params(
            {"row_id": message_id, "attempt_count": attempts}
        )
        if self._compiled.positional:
            parameters = tuple(parameters[name] for name in self._compiled.positiontup)
        self._execute(self._sql, parameters)

    def close(self) -> None:
        if self._postgresql:
            self._execute("RESET synchronous_commit", ())

    def _execute(self, sql: str, parameters) -> None:
        cursor = self._driver_connection.cursor()
        try:
            cursor.execute(sql, parameters)
        finally:
            cursor.close()


class OutcomeWriter:
    """Writes a batch's outcomes on a thread of its own, in order, so that writing one overlaps
    with the mail server's answers to the next message's envelope (MAIL FROM, RCPT TO). The
    deliverer calls `settle` before it hands over the next message's content: no message is
    accepted by the server before the outcome of the one before it is committed."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._recorder = SentRecorder(connection)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-outcomes")
        self._pending: list[Future] = []

    def sent(self, message_id: int, attempts: int) -> None:
        self._pending.append(self._thread.submit(self._recorder.sent, message_id, attempts))

    def execute(self, statement: sa.Executable) -> None:
        self._pending.append(self._thread.submit(self._connection.execute, statement))

    def settle(self) -> None:
        """Wait until every outcome handed over is written; raise the first write's error."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        try:
            self.settle()
            self._thread.submit(self._recorder.close).result()
        finally:
            self._thread.shutdown()


def _sent_statement() -> sa.Executable:
    table = OutboxMessage.__table__
    # Only integers are bound, which every driver takes as they are; the state is written into
    # the SQL and the time taken from the database.
    return (
        table.update()
        .where(table.c.id == sa.bindparam("row_id", type_=sa.Integer))
        .values(
            state=sa.literal_column(f"'{DeliveryState.SENT.value}'"),
            sent_at=sa.func.current_timestamp(),
            attempts=sa.bindparam("attempt_count", type_=sa.Integer),
            claimed_until=None,
        )
    )
