"""States of the pool's recommendations, of frozen versions and of consultation comments."""

import enum

from flask_babel import lazy_gettext as _l


class ClauseStatus(enum.StrEnum):
    """Where a recommendation stands in a charter's pool."""

    ACTIVE = "active"  # in the pool; part of the text once it has a chapter
    SET_ASIDE = "set_aside"  # not taken into the charter, for a stated reason
    MERGED = "merged"  # a duplicate, merged into another recommendation with all its origins

    @property
    def label(self) -> str:
        return str(CLAUSE_STATUS_LABELS[self])


CLAUSE_STATUS_LABELS = {
    ClauseStatus.ACTIVE: _l("in the pool"),
    ClauseStatus.SET_ASIDE: _l("set aside"),
    ClauseStatus.MERGED: _l("merged"),
}


class VersionState(enum.StrEnum):
    """The life of a frozen version: its text never changes, only what is done with it."""

    WORKING_DRAFT = "working_draft"
    CONSULTATION = "consultation"
    ADOPTED = "adopted"

    @property
    def label(self) -> str:
        return str(VERSION_STATE_LABELS[self])


VERSION_STATE_LABELS = {
    VersionState.WORKING_DRAFT: _l("working draft"),
    VersionState.CONSULTATION: _l("in consultation"),
    VersionState.ADOPTED: _l("adopted"),
}


class CommentStatus(enum.StrEnum):
    """What became of an expert's comment in a consultation."""

    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return str(COMMENT_STATUS_LABELS[self])


COMMENT_STATUS_LABELS = {
    CommentStatus.OPEN: _l("open"),
    CommentStatus.ANSWERED: _l("answered"),
    CommentStatus.RESOLVED: _l("resolved"),
}
