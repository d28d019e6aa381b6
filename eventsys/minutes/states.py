"""The life of minutes: draft → circulated → approved → published."""

import enum

from flask_babel import lazy_gettext as _l


class MinutesState(enum.StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"  # attendees read the draft and comment until a date
    APPROVED = "approved"  # frozen; a correction starts a new version
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(MINUTES_STATE_LABELS[self])

    @property
    def frozen(self) -> bool:
        return self in FROZEN_STATES


FROZEN_STATES = frozenset({MinutesState.APPROVED, MinutesState.PUBLISHED})

MINUTES_STATE_LABELS = {
    MinutesState.DRAFT: _l("draft"),
    MinutesState.CIRCULATED: _l("circulated for comments"),
    MinutesState.APPROVED: _l("approved"),
    MinutesState.PUBLISHED: _l("published"),
}
