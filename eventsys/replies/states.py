"""What became of a message that arrived."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class Source(LabelledEnum):
    IMAP = "imap", _l("Mailbox")
    PIPE = "pipe", _l("Mail server")  # `flask replies ingest`, as a mail server's pipe delivers
    UPLOAD = "upload", _l("Upload")


class Outcome(LabelledEnum):
    APPLIED = "applied", _l("Answer recorded")  # the answer was recorded
    DUPLICATE = "duplicate", _l("Already recorded")  # the same answer had been recorded already
    STALE = "stale", _l("For an earlier version")  # it answered an earlier version of the session
    # a person has to decide (unknown sender or session, plain mail)
    NEEDS_REVIEW = "needs_review", _l("Needs a decision")
    # METHOD:COUNTER, shown to the organiser
    COUNTER_PROPOSAL = "counter_proposal", _l("Counter-proposal")
    RESOLVED = "resolved", _l("Decided")  # a person decided
    # a person (or a rule) set it aside, e.g. an out-of-office notice
    IGNORED = "ignored", _l("Set aside")
