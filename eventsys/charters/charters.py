"""Creating charters and shaping their chapters."""

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters import intake
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Chapter, Charter
from eventsys.extensions import db
from eventsys.minutes.models import Guideline

MAX_TITLE_LENGTH = 300


def create_charter(title_de: str, title_en: str, user: User | None) -> Charter:
    """A new charter with one chapter per guideline (the four guidelines of the Smart City
    Charta by default), and in its pool every recommendation of approved minutes so far."""
    title_de, title_en = title_de.strip(), title_en.strip()
    if not title_de:
        raise CharterError(_("Please give the charter a German title."))
    if len(title_de) > MAX_TITLE_LENGTH or len(title_en) > MAX_TITLE_LENGTH:
        raise CharterError(
            _("Please keep the title under %(count)d characters.", count=MAX_TITLE_LENGTH)
        )
    charter = Charter(title_de=title_de, title_en=title_en, created_by=user)
    guidelines = db.session.scalars(sa.select(Guideline).order_by(Guideline.number))
    for position, guideline in enumerate(guidelines, start=1):
        charter.chapters.append(
            Chapter(
                position=position,
                title_de=guideline.title_de,
                title_en=guideline.title_en,
                guideline=guideline,
            )
        )
    db.session.add(charter)
    db.session.flush()
    audit.record("charter.created", charter, f"charter {title_de!r} created")
    intake.take_in_all(charter)
    return charter
