"""What migrations share: changing a table that SQLite has to rebuild for it.

SQLite alters little in place, so Alembic's batch mode copies the table, drops the old one and
renames the copy. Two things go wrong on the way unless they are seen to: dropping the old
table fails while rows of other tables refer to it (foreign keys are on), and the copy has none
of the old table's triggers, such as those that keep approved minutes frozen.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def rebuilding_on_sqlite(table: str) -> Iterator[None]:
    """Around a batch operation on `table`: on SQLite, foreign keys are off for the rebuild
    (switched outside a transaction, the only place SQLite allows it) and checked before they
    are on again; other tables' triggers are not checked while the copy is renamed; and the
    table's own triggers are created again afterwards. Elsewhere it does
    nothing."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    triggers = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        )
    ]
    context = op.get_context()
    with context.autocommit_block():
        bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    # Renaming the copy must not check the triggers of other tables, which name this table and
    # find it missing for that moment.
    bind.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"rebuilding {table} broke foreign keys: {broken}")
        existing = {
            row[0]
            for row in bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            )
        }
        for trigger in triggers:
            if trigger not in existing:
                bind.exec_driver_sql(trigger)
    finally:
        bind.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        with context.autocommit_block():
            bind.exec_driver_sql("PRAGMA foreign_keys = ON")
