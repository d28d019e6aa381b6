"""The staff roles now live in `eventsys.roles`, below the features, because the access rules
(`eventsys.access`) and the shared admin pages (audit, outbox) need them. This name stays only
for the test harness (tests/conftest.py), which is being rewritten; new code imports
`eventsys.roles`."""

from eventsys.roles import ROLE_LABELS, Role

__all__ = ["ROLE_LABELS", "Role"]
