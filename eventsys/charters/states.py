"""States of the pool's recommendations, of frozen versions and of consultation comments."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class ClauseStatus(LabelledEnum):
    """Where a recommendation stands in a charter's pool."""

    ACTIVE = "active", _l("in the pool")  # in the pool; part of the text once it has a chapter
    SET_ASIDE = "set_aside", _l("set aside")  # not taken into the charter, for a stated reason
    # a duplicate, merged into another recommendation with all its origins
    MERGED = "merged", _l("merged")


class VersionState(LabelledEnum):
    """The life of a frozen version: its text never changes, only what is done with it."""

    WORKING_DRAFT = "working_draft", _l("working draft")
    CONSULTATION = "consultation", _l("in consultation")
    ADOPTED = "adopted", _l("adopted")


class CommentStatus(LabelledEnum):
    """What became of an expert's comment in a consultation."""

    OPEN = "open", _l("open")
    ANSWERED = "answered", _l("answered")
    RESOLVED = "resolved", _l("resolved")
