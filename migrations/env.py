"""Alembic environment: runs migrations against the app's database (Flask-Migrate)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from eventsys.database import (
    alembic_compare_server_default,
    alembic_compare_type,
    alembic_render_item,
)
from eventsys.search.engines import alembic_filters

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db


def configure(connection_or_url, **extra) -> None:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.update(
        target_metadata=database.metadata,
        render_as_batch=True,
        compare_type=alembic_compare_type,
        compare_server_default=alembic_compare_server_default,
        render_item=alembic_render_item,
        # SQLite's FTS5 tables of the search index, which no model describes.
        **alembic_filters(database.engine.dialect.name),
    )
    options.update(extra)
    context.configure(**options, **connection_or_url)


def run_migrations_offline() -> None:
    configure(
        {"url": database.engine.url.render_as_string(hide_password=False)}, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty_revision(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            log.info("No changes in schema detected.")

    with database.engine.connect() as connection:
        configure({"connection": connection}, process_revision_directives=skip_empty_revision)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
