"""What kind of session it is and where it stands."""

import enum

from flask_babel import lazy_gettext as _l


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    WORKING_GROUP = "working_group"
    INTERNATIONAL_WORKSHOP = "international_workshop"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    HELD = "held"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.WORKING_GROUP: _l("Working group meeting"),
    SessionKind.INTERNATIONAL_WORKSHOP: _l("International workshop"),
}

STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Planned"),
    SessionStatus.CONFIRMED: _l("Confirmed"),
    SessionStatus.CANCELLED: _l("Cancelled"),
    SessionStatus.HELD: _l("Held"),
}
