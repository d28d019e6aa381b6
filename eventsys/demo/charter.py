"""The demo's Smart City Charta, assembled from the recommendations of the approved demo
minutes as the secretariat would: chapters introduced, recommendations placed and reworded for
the charter, English wording added, one set aside, Fassung 0.1 frozen as a working draft, and
work on 0.2 under way."""

from dataclasses import dataclass

import sqlalchemy as sa

from eventsys.auth.models import User
from eventsys.charters import charters, pool, versions
from eventsys.charters.models import Charter, Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db

TITLE_DE = "Smart City Charta"
TITLE_EN = "Smart City Charter"

PREAMBLE_DE = (
    "Die Digitalisierung verändert, wie wir in Städten und Gemeinden leben, arbeiten und "
    "entscheiden. Diese Charta hält fest, wie Kommunen sie im Sinne einer nachhaltigen, "
    "integrierten Stadtentwicklung gestalten können."
)
PREAMBLE_EN = (
    "Digitalisation changes how we live, work and decide in cities and municipalities. This "
    "charter sets out how municipalities can shape it in the spirit of sustainable, integrated "
    "urban development."
)


@dataclass(frozen=True)
class Introduction:
    de: str
    en: str


# By guideline number, the chapter each guideline's recommendations go to.
INTRODUCTIONS = {
    1: Introduction(
        "Digitale Transformation ist kein Selbstzweck. Sie braucht Ziele, die aus der "
        "Stadtentwicklung kommen, eine Strategie, die sie verfolgt, und Strukturen in der "
        "Verwaltung, die Verantwortung übernehmen.",
        "Digital transformation is not an end in itself. It needs goals drawn from urban "
        "development, a strategy that pursues them and structures in the administration that "
        "take responsibility.",
    ),
    2: Introduction(
        "Eine Smart City entsteht mit ihren Bürgerinnen und Bürgern. Transparenz über Daten "
        "und Entscheidungen ist die Voraussetzung dafür, dass alle mitreden und mitgestalten "
        "können, auf digitalem wie auf analogem Weg.",
        "A smart city is built with its citizens. Transparency about data and decisions is "
        "what allows everyone to have a say and take part, online as well as offline.",
    ),
    3: Introduction(
        "Infrastrukturen, Daten und Dienstleistungen sind Teil der kommunalen Daseinsvorsorge. "
        "Kommunen sichern ihre Handlungsfähigkeit, indem sie über Daten verfügen und "
        "Abhängigkeiten von einzelnen Anbietern vermeiden.",
        "Infrastructures, data and services are part of the public services municipalities "
        "provide. Municipalities keep their ability to act by controlling their data and "
        "avoiding dependence on single suppliers.",
    ),
    4: Introduction(
        "Die digitale Transformation verlangt Ressourcen, neue Kompetenzen und Zusammenarbeit. "
        "Bund, Länder und Kommunen bündeln ihre Kräfte und lernen von den Erfahrungen anderer, "
        "auch über Grenzen hinweg.",
        "Digital transformation calls for resources, new skills and cooperation. Federal, "
        "state and local government pool their efforts and learn from the experience of "
        "others, across borders too.",
    ),
}


@dataclass(frozen=True)
class Wording:
    """The charter's wording for the recommendation whose minutes text starts with
    `minutes_text_start`; `de` None keeps the German wording of the minutes."""

    minutes_text_start: str
    de: str | None
    en: str


# Before Fassung 0.1: three recommendations reworded, English wording for most of the others.
WORDING_FOR_FIRST_DRAFT = (
    Wording(
        "Digitalisierung an den Zielen",
        "Die Digitalisierung richtet sich an den Zielen einer nachhaltigen, integrierten "
        "Stadtentwicklung aus, nicht an der verfügbaren Technik.",
        "Digitalisation serves the goals of sustainable, integrated urban development, not "
        "the technology that happens to be available.",
    ),
    Wording(
        "Eine ressortübergreifende Digitalstrategie",
        "Kommunen beschließen eine ressortübergreifende Digitalstrategie mit messbaren Zielen "
        "und schreiben sie regelmäßig fort.",
        "Municipalities adopt a digital strategy across all departments, with measurable "
        "goals, and update it regularly.",
    ),
    Wording(
        "Kommunen sollen die Hoheit über Daten",
        "Kommunen sichern sich vertraglich die Hoheit über die Daten, die in öffentlichen "
        "Infrastrukturen entstehen.",
        "Municipalities secure by contract their control over the data generated in public "
        "infrastructures.",
    ),
    Wording(
        "Bürgerinnen und Bürger früh",
        None,
        "Involve citizens in digitalisation projects early and in plain language.",
    ),
    Wording(
        "Eine klare Zuständigkeit",
        None,
        "Anchor clear responsibility for digital transformation at the top of the administration.",
    ),
    Wording(
        "Förderprogramme an eine beschlossene Strategie",
        None,
        "Tie funding programmes to an adopted strategy rather than to single projects.",
    ),
    Wording(
        "Daten der Verwaltung als offene Daten",
        None,
        "Publish administrative data as open data wherever data protection and security allow.",
    ),
    Wording(
        "Bei der Beschaffung offene Standards",
        None,
        "Require open standards and interfaces in procurement.",
    ),
)

SET_ASIDE = (
    "Breitbandausbau im ländlichen Raum",
    "Der Breitbandausbau ist Gegenstand der Förderprogramme von Bund und Ländern; die Charta "
    "nimmt ihn in der Einleitung zu Leitlinie 3 auf, statt ihn als eigene Empfehlung zu führen.",
)

FIRST_DRAFT_NOTE = "Erster Arbeitsentwurf aus den freigegebenen Protokollen der Workshops."

# After Fassung 0.1: the work on 0.2.
WORDING_FOR_SECOND_DRAFT = (
    Wording(
        "Eine klare Zuständigkeit",
        "Kommunen verankern die Zuständigkeit für die digitale Transformation in der "
        "Verwaltungsspitze.",
        "Municipalities place responsibility for digital transformation at the top of the "
        "administration.",
    ),
    Wording(
        "Digitale Beteiligungsangebote barrierefrei",
        "Digitale Beteiligungsangebote sind barrierefrei und werden durch analoge Wege "
        "ergänzt, damit niemand ausgeschlossen wird.",
        "Digital participation is accessible and complemented by offline formats, so that "
        "nobody is left out.",
    ),
)
# Moved up next to the other recommendation on participation.
MOVED_UP = "Digitale Beteiligungsangebote barrierefrei"


def load_charter_demo(admin_user: User) -> int:
    """Build the demo charter from the approved demo minutes unless a charter with its title
    exists; return how many charters were created (0 or 1). Flushes; the caller commits.
    The work is recorded in the audit trail as done by `admin_user`."""
    if db.session.scalar(sa.select(Charter.id).where(Charter.title_de == TITLE_DE)):
        return 0
    charter = charters.create_charter(TITLE_DE, TITLE_EN, admin_user)
    charters.update_charter(
        charter,
        title_de=TITLE_DE,
        title_en=TITLE_EN,
        preamble_de=PREAMBLE_DE,
        preamble_en=PREAMBLE_EN,
    )
    for chapter in charter.chapters:
        introduction = INTRODUCTIONS.get(chapter.guideline.number if chapter.guideline else 0)
        if introduction is not None:
            charters.update_chapter(
                chapter,
                title_de=chapter.title_de,
                title_en=chapter.title_en,
                introduction_de=introduction.de,
                introduction_en=introduction.en,
            )
    pool.assign_suggested(charter, admin_user)
    _reword(charter, WORDING_FOR_FIRST_DRAFT, admin_user)
    reason_start, reason = SET_ASIDE
    pool.set_aside(_clause(charter, reason_start), reason, admin_user)
    versions.freeze(charter, admin_user, note=FIRST_DRAFT_NOTE)
    _reword(charter, WORDING_FOR_SECOND_DRAFT, admin_user)
    pool.move(_clause(charter, MOVED_UP), -1, admin_user)
    return 1


def _reword(charter: Charter, wordings: tuple[Wording, ...], user: User) -> None:
    for wording in wordings:
        clause = _clause(charter, wording.minutes_text_start)
        pool.reword(clause, wording.de or clause.text_de, wording.en, user)


def _clause(charter: Charter, minutes_text_start: str) -> Clause:
    """The active clause made from the recommendation whose minutes wording starts so.
    Raises LookupError if the demo minutes have no such recommendation."""
    clause = db.session.scalar(
        sa.select(Clause)
        .join(ClauseOrigin, ClauseOrigin.clause_id == Clause.id)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            ClauseOrigin.original_text.startswith(minutes_text_start, autoescape=True),
        )
    )
    if clause is None:
        raise LookupError(f"no recommendation in the demo minutes starts {minutes_text_start!r}")
    return clause
