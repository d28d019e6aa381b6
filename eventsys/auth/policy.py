"""The sign-in policy: whether every staff account must use two-factor sign-in.

Admins switch it in the browser (one row in `sign_in_policy`); a deployment can also fix it on
with TWO_FACTOR_REQUIRED, and then the switch cannot turn it off.
"""

import sqlalchemy as sa
from flask import current_app

from eventsys.audit import services as audit
from eventsys.auth.models import SignInPolicy, User
from eventsys.extensions import db

POLICY_ROW_ID = 1


def required_by_configuration() -> bool:
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED"))


def stored_policy() -> SignInPolicy | None:
    return db.session.get(SignInPolicy, POLICY_ROW_ID)


def two_factor_required() -> bool:
    """Whether staff must have two-factor sign-in (by configuration or by the admins' choice)."""
    if required_by_configuration():
        return True
    policy = stored_policy()
    return policy is not None and policy.two_factor_required


def set_two_factor_required(required: bool, admin: User) -> None:
    """Store the admins' choice, recording a change in the audit trail."""
    policy = stored_policy()
    if policy is None:
        policy = SignInPolicy(id=POLICY_ROW_ID, two_factor_required=False)
        db.session.add(policy)
        db.session.flush()
    if policy.two_factor_required == required:
        return
    policy.two_factor_required = required
    policy.updated_by_id = admin.id
    db.session.flush()
    audit.record(
        "sign_in_policy.changed",
        policy,
        "Two-factor sign-in " + ("required for all staff" if required else "no longer required"),
        {"two_factor_required": [not required, required]},
    )


def staff_with_two_factor() -> tuple[int, int]:
    """How many active accounts have two-factor sign-in, and how many active accounts there are."""
    enabled, total = db.session.execute(
        sa.select(
            sa.func.count(User.two_factor_enabled_at),
            sa.func.count(User.id),
        ).where(User.active.is_(True))
    ).one()
    return enabled, total
