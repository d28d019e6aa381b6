"""What an invitee has answered, and how the answer reached us."""

import enum

from flask_babel import lazy_gettext as _l


class Response(enum.StrEnum):
    """The invitee's answer, named after the iCalendar PARTSTAT values (RFC 5545)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    DELEGATED = "delegated"

    @property
    def label(self) -> str:
        return str(RESPONSE_LABELS[self])

    @property
    def partstat(self) -> str:
        return self.value.upper().replace("_", "-")


RESPONSE_LABELS = {
    Response.NEEDS_ACTION: _l("No answer yet"),
    Response.ACCEPTED: _l("Accepted"),
    Response.TENTATIVE: _l("Tentative"),
    Response.DECLINED: _l("Declined"),
    Response.DELEGATED: _l("Sends a deputy"),
}


class Channel(enum.StrEnum):
    """Where an answer came from."""

    LINK = "link"  # the buttons in the invitation mail
    CALENDAR = "calendar"  # an iMIP REPLY from the invitee's calendar
    MANUAL = "manual"  # set by organisers or the secretariat

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.LINK: _l("Link in the mail"),
    Channel.CALENDAR: _l("Calendar reply"),
    Channel.MANUAL: _l("Set by hand"),
}


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self])


MODE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
}
