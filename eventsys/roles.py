"""The roles a staff account can hold (below the features: the access rules need them)."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    ORGANISER = "organiser", _l("Organiser")
    SECRETARIAT = "secretariat", _l("Secretariat")
