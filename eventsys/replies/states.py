"""What became of a message that arrived."""

import enum

from flask_babel import lazy_gettext as _l


class Source(enum.StrEnum):
    IMAP = "imap"
    PIPE = "pipe"  # `flask replies ingest`, as a mail server's pipe delivers
    UPLOAD = "upload"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    Source.IMAP: _l("Mailbox"),
    Source.PIPE: _l("Mail server"),
    Source.UPLOAD: _l("Upload"),
}


class Outcome(enum.StrEnum):
    APPLIED = "applied"  # the answer was recorded
    DUPLICATE = "duplicate"  # the same answer had been recorded already
    STALE = "stale"  # it answered an earlier version of the session
    NEEDS_REVIEW = "needs_review"  # a person has to decide (unknown sender or session, plain mail)
    COUNTER_PROPOSAL = "counter_proposal"  # METHOD:COUNTER, shown to the organiser
    RESOLVED = "resolved"  # a person decided
    IGNORED = "ignored"  # a person (or a rule) set it aside, e.g. an out-of-office notice

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.APPLIED: _l("Answer recorded"),
    Outcome.DUPLICATE: _l("Already recorded"),
    Outcome.STALE: _l("For an earlier version"),
    Outcome.NEEDS_REVIEW: _l("Needs a decision"),
    Outcome.COUNTER_PROPOSAL: _l("Counter-proposal"),
    Outcome.RESOLVED: _l("Decided"),
    Outcome.IGNORED: _l("Set aside"),
}
