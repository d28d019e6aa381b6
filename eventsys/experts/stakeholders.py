"""The stakeholder groups of the platform (see DOMAIN.md)."""

import enum

from flask_babel import lazy_gettext as _l


class StakeholderGroup(enum.StrEnum):
    MUNICIPALITIES = "municipalities"
    UMBRELLA_ASSOCIATIONS = "umbrella_associations"
    FEDERAL_MINISTRIES = "federal_ministries"
    STATE_MINISTRIES = "state_ministries"
    SCIENCE = "science"
    BUSINESS_ASSOCIATIONS = "business_associations"
    SOCIAL_ASSOCIATIONS = "social_associations"
    PROFESSIONAL_ASSOCIATIONS = "professional_associations"
    CIVIL_SOCIETY = "civil_society"
    INTERNATIONAL_PARTNERS = "international_partners"

    @property
    def label(self) -> str:
        return str(STAKEHOLDER_LABELS[self])


STAKEHOLDER_LABELS = {
    StakeholderGroup.MUNICIPALITIES: _l("Cities, districts and municipalities"),
    StakeholderGroup.UMBRELLA_ASSOCIATIONS: _l("Municipal umbrella associations"),
    StakeholderGroup.FEDERAL_MINISTRIES: _l("Federal ministries"),
    StakeholderGroup.STATE_MINISTRIES: _l("State ministries for urban development"),
    StakeholderGroup.SCIENCE: _l("Science organisations"),
    StakeholderGroup.BUSINESS_ASSOCIATIONS: _l("Business associations"),
    StakeholderGroup.SOCIAL_ASSOCIATIONS: _l("Social associations"),
    StakeholderGroup.PROFESSIONAL_ASSOCIATIONS: _l("Professional associations"),
    StakeholderGroup.CIVIL_SOCIETY: _l("Civil society"),
    StakeholderGroup.INTERNATIONAL_PARTNERS: _l("International partners"),
}
