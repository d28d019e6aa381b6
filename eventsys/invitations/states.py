"""What an invitee has answered, and how the answer reached us."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class Response(LabelledEnum):
    """The invitee's answer, named after the iCalendar PARTSTAT values (RFC 5545)."""

    NEEDS_ACTION = "needs_action", _l("No answer yet")
    ACCEPTED = "accepted", _l("Accepted")
    TENTATIVE = "tentative", _l("Tentative")
    DECLINED = "declined", _l("Declined")
    DELEGATED = "delegated", _l("Sends a deputy")

    @property
    def partstat(self) -> str:
        return self.value.upper().replace("_", "-")


class Channel(LabelledEnum):
    """Where an answer came from."""

    LINK = "link", _l("Link in the mail")  # the buttons in the invitation mail
    CALENDAR = "calendar", _l("Calendar reply")  # an iMIP REPLY from the invitee's calendar
    MANUAL = "manual", _l("Set by hand")  # set by organisers or the secretariat


class AttendanceMode(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    ONLINE = "online", _l("Online")


class ProposalState(LabelledEnum):
    """Where a deputy named through an answer link stands."""

    PENDING = "pending", _l("Waiting for confirmation")
    CONFIRMED = "confirmed", _l("Confirmed and invited")
    DECLINED = "declined", _l("Not confirmed")
