"""A savepoint inside a transaction commits nothing on its own, on SQLite as on PostgreSQL."""

from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.roles import Role


def add_user(email: str) -> None:
    db.session.add(User(email=email, name=email, password_hash="x", role=Role.ADMIN))


def test_released_savepoint_is_undone_by_the_outer_rollback(app):
    with db.session.begin_nested():
        add_user("inner@example.org")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_rolled_back_savepoint_keeps_the_rest_of_the_transaction(app):
    add_user("kept@example.org")
    db.session.flush()
    savepoint = db.session.begin_nested()
    add_user("dropped@example.org")
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert db.session.scalars(db.select(User.email)).all() == ["kept@example.org"]
