"""The roles a staff account can hold (below the features: the access rules need them)."""

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    SECRETARIAT = "secretariat"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.SECRETARIAT: _l("Secretariat"),
}
