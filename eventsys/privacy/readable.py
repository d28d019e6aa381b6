"""The export put into words for people: sections of labelled rows, with translated states and
local times, for the page and the PDF (the JSON keeps the codes and UTC)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.salutations import Salutation
from eventsys.i18n import format_local_datetime
from eventsys.invitations.states import ProposalState, Response
from eventsys.replies.states import Outcome


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]]


def _when(value: str | None) -> str:
    return format_local_datetime(datetime.fromisoformat(value)) if value else ""


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _name(directory: dict) -> str:
    parts = (directory["title"], directory["first_name"], directory["last_name"])
    return " ".join(part for part in parts if part)


def _answer(invitation: dict) -> str:
    answer = Response(invitation["answer"]).label
    deputy = invitation.get("deputy_named")
    if not deputy:
        return str(answer)
    return _(
        "%(answer)s: %(name)s (%(email)s), %(state)s",
        answer=answer,
        name=deputy["name"],
        email=deputy["email"],
        state=ProposalState(deputy["state"]).label,
    )


def readable_sections(export: dict) -> list[Section]:
    """The export's parts, each a table, in the current language."""
    directory = export["directory"]
    return [
        Section(
            _("Directory entry"),
            [_("Field"), _("Value")],
            [
                [_("Salutation"), Salutation(directory["salutation"]).label],
                [_("Name"), _name(directory)],
                [_("E-mail address"), directory["email"]],
                [_("Organisation"), directory["organisation"]],
                [_("Function"), directory["function"]],
                [_("Language"), directory["language"]],
                [_("Time zone"), directory["timezone"]],
                [_("Deputy"), directory["deputy"] or ""],
                [_("Working groups"), ", ".join(directory["working_groups"])],
                [_("Active"), _yes_no(directory["active"])],
                [_("Calendar feed"), _yes_no(directory["calendar_feed"])],
                [_("In the directory since"), _when(directory["created_at"])],
            ],
        ),
        Section(
            _("Invitations and answers"),
            [_("Session"), _("Date"), _("Answer"), _("Answered on"), _("Comment")],
            [
                [
                    row["session"],
                    _when(row["session_starts_at"]),
                    _answer(row),
                    _when(row["answered_at"]),
                    row["comment"],
                ]
                for row in export["invitations"]
            ],
        ),
        Section(
            _("Attendance"),
            [_("Session"), _("Date"), _("Status")],
            [
                [
                    row["session"],
                    _when(row["session_starts_at"]),
                    AttendanceStatus(row["status"]).label,
                ]
                for row in export["attendance"]
            ],
        ),
        Section(
            _("Comments on minutes"),
            [_("Session"), _("Version"), _("Comment")],
            [
                [row["session"], str(row["minutes_version"]), row["text"]]
                for row in export["minutes_comments"]
            ],
        ),
        Section(
            _("Comments in consultations"),
            [_("Charter"), _("Version"), _("Comment")],
            [
                [row["charter"], row["version"], row["text"]]
                for row in export["consultation_comments"]
            ],
        ),
        Section(
            _("Mail sent to them"),
            [_("Subject"), _("Queued"), _("Sent")],
            [
                [row["subject"], _when(row["queued_at"]), _when(row["sent_at"])]
                for row in export["mail_sent_to_them"]
            ],
        ),
        Section(
            _("Mail received from them"),
            [_("Subject"), _("Received"), _("Outcome")],
            [
                [row["subject"], _when(row["received_at"]), Outcome(row["outcome"]).label]
                for row in export["mail_received_from_them"]
            ],
        ),
        Section(
            _("Approved minutes that name them (kept as records)"),
            [_("Session"), _("Date"), _("Version"), _("Approved on")],
            [
                [
                    row["session"],
                    _when(row["session_starts_at"]),
                    str(row["minutes_version"]),
                    _when(row["approved_at"]),
                ]
                for row in export["kept_records"]
            ],
        ),
    ]
