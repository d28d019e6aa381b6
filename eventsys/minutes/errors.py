"""What can go wrong with minutes, as errors whose message the user can read."""

from flask_babel import gettext as _


class MinutesError(ValueError):
    """A change to minutes that cannot be made; str(error) says why, in the user's language."""


class MinutesFrozen(MinutesError):
    """The minutes are approved or published: their text can only change by a correction."""


class EditConflict(MinutesError):
    """Someone else saved the minutes since this editor loaded them."""


class WorkflowError(MinutesError):
    """A step of draft → circulated → approved → published that is not possible now."""


def frozen_message() -> str:
    """The message of MinutesFrozen, in the current language."""
    return _(
        "These minutes are approved, so their text can no longer be changed. "
        "To change them, start a correction."
    )
