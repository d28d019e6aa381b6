"""The stakeholder groups of the platform (see DOMAIN.md)."""

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum


class StakeholderGroup(LabelledEnum):
    MUNICIPALITIES = "municipalities", _l("Cities, districts and municipalities")
    UMBRELLA_ASSOCIATIONS = "umbrella_associations", _l("Municipal umbrella associations")
    FEDERAL_MINISTRIES = "federal_ministries", _l("Federal ministries")
    STATE_MINISTRIES = "state_ministries", _l("State ministries for urban development")
    SCIENCE = "science", _l("Science organisations")
    BUSINESS_ASSOCIATIONS = "business_associations", _l("Business associations")
    SOCIAL_ASSOCIATIONS = "social_associations", _l("Social associations")
    PROFESSIONAL_ASSOCIATIONS = "professional_associations", _l("Professional associations")
    CIVIL_SOCIETY = "civil_society", _l("Civil society")
    INTERNATIONAL_PARTNERS = "international_partners", _l("International partners")
