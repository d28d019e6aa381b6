"""The roles a staff account can hold."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    ORGANISER = "organiser", _l("Organiser")
    SECRETARIAT = "secretariat", _l("Secretariat")
