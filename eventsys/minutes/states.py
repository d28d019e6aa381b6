"""The life of minutes: draft → circulated → approved → published."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class MinutesState(LabelledEnum):
    DRAFT = "draft", _l("draft")
    # attendees read the draft and comment until a date
    CIRCULATED = "circulated", _l("circulated for comments")
    APPROVED = "approved", _l("approved")  # frozen; a correction starts a new version
    PUBLISHED = "published", _l("published")

    @property
    def frozen(self) -> bool:
        return self in FROZEN_STATES


FROZEN_STATES = frozenset({MinutesState.APPROVED, MinutesState.PUBLISHED})
