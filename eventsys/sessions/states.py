"""What kind of session it is and where it stands."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class SessionKind(LabelledEnum):
    PLENARY = "plenary", _l("Plenary")
    WORKSHOP = "workshop", _l("Workshop")
    WORKING_GROUP = "working_group", _l("Working group meeting")
    INTERNATIONAL_WORKSHOP = "international_workshop", _l("International workshop")


class SessionStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    CONFIRMED = "confirmed", _l("Confirmed")
    CANCELLED = "cancelled", _l("Cancelled")
    HELD = "held", _l("Held")
