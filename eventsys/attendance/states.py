"""The attendance states of the Teilnehmerliste."""

import enum

from flask_babel import lazy_gettext as _l


class AttendanceStatus(enum.StrEnum):
    EXPECTED = "expected"  # accepted (or listed by hand), not yet marked on the day
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return str(ATTENDANCE_LABELS[self])


ATTENDANCE_LABELS = {
    AttendanceStatus.EXPECTED: _l("expected"),
    AttendanceStatus.PRESENT: _l("present"),
    AttendanceStatus.EXCUSED: _l("excused"),
    AttendanceStatus.ABSENT: _l("absent"),
}
