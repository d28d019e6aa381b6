"""The attendance states of the Teilnehmerliste."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class AttendanceStatus(LabelledEnum):
    EXPECTED = "expected", _l("expected")  # accepted (or listed by hand), not yet marked on the day
    PRESENT = "present", _l("present")
    EXCUSED = "excused", _l("excused")
    ABSENT = "absent", _l("absent")
