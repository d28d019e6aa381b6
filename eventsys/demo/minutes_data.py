"""What the demo's past workshops decided and recommended: the text of their minutes."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoRecommendation:
    text: str
    guideline: int  # number of the Smart City Charta guideline
    actors: str


@dataclass(frozen=True)
class DemoActionItem:
    text: str
    owner_email: str
    due_weeks: int  # after the session
    # The session (by its title's start) whose minutes closed it; empty: still open.
    closed_in: str = ""
    closed_note: str = ""


@dataclass(frozen=True)
class DemoMinutes:
    session_title: str
    approved: bool
    opening: str
    work_top: int  # the TOP where the results were recorded
    discussion: str
    decisions: tuple[str, ...] = ()
    action_items: tuple[DemoActionItem, ...] = ()
    recommendations: tuple[DemoRecommendation, ...] = ()
    closing: str = ""
    other_tops: dict[int, str] = field(default_factory=dict)


ROUTINE_TOP = "Vortrag mit anschließender Aussprache. Die Folien liegen der Geschäftsstelle vor."

MINUTES = (
    DemoMinutes(
        session_title="Workshop 1: Auftakt der Dialogplattform Smart Cities",
        approved=True,
        opening="Frau Sommerfeld (BMUB) eröffnet die Sitzung um 10:00 Uhr und begrüßt die "
        "Teilnehmenden. Das Protokoll führt die Geschäftsstelle.",
        work_top=5,
        discussion="In vier Tischgruppen wurden Chancen und Risiken gesammelt.\n\n"
        "- **Chancen:** bessere Dienstleistungen, Beteiligung, Ressourceneffizienz\n"
        "- **Risiken:** Abhängigkeit von Anbietern, Datenschutz, digitale Spaltung\n\n"
        "Mehrere Gruppen betonten, dass Digitalisierung kein Selbstzweck sein darf.",
        decisions=(
            "Die Dialogplattform erarbeitet bis Mitte 2017 eine Smart City Charta.",
            "Die Charta gliedert sich in vier Leitlinien; die Workshops 2 bis 5 widmen sich "
            "je einer Leitlinie.",
        ),
        action_items=(
            DemoActionItem(
                "Ergebnisse der Tischgruppen aufbereiten und versenden",
                "jan-philipp.roth@bbsr.example.org",
                3,
                closed_in="Workshop 2",
                closed_note="Mit der Einladung zu Workshop 2 versandt.",
            ),
            DemoActionItem(
                "Glossar zentraler Begriffe (Smart City, Daseinsvorsorge, Datensouveränität) "
                "entwerfen",
                "markus.steinbach@iese.fraunhofer.example.org",
                10,
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Digitalisierung an den Zielen einer nachhaltigen, integrierten "
                "Stadtentwicklung ausrichten, nicht an der verfügbaren Technik.",
                1,
                "Kommunen, Bund",
            ),
            DemoRecommendation(
                "Bürgerinnen und Bürger früh und verständlich an Digitalisierungsvorhaben "
                "beteiligen.",
                2,
                "Kommunen",
            ),
        ),
        closing="Die Sitzung endet um 16:30 Uhr.",
    ),
    DemoMinutes(
        session_title="Workshop 2: Ziele, Strategien und Strukturen",
        approved=True,
        opening="Herr Dr. Roth (BBSR) eröffnet die Sitzung und fasst den Auftaktworkshop "
        "zusammen. Das Protokoll des Auftaktworkshops wird ohne Änderungen zur Kenntnis "
        "genommen.",
        work_top=4,
        discussion="Die Arbeitsgruppen verglichen Leitbilder und Zuständigkeiten. Kommunen mit "
        "einer zentralen Stabsstelle berichteten von schnelleren Entscheidungen; kleine "
        "Gemeinden fehlt dafür häufig das Personal.",
        decisions=("Leitlinie 1 der Charta wird auf Grundlage der Leitsätze aus TOP 5 entworfen.",),
        action_items=(
            DemoActionItem(
                "Entwurf der Leitlinie 1 erstellen",
                "carolin.jansen@difu.example.org",
                6,
                closed_in="Workshop 3",
                closed_note="Entwurf liegt vor und wurde in Workshop 3 vorgestellt.",
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Eine ressortübergreifende Digitalstrategie mit messbaren Zielen beschließen "
                "und regelmäßig fortschreiben.",
                1,
                "Kommunen",
            ),
            DemoRecommendation(
                "Eine klare Zuständigkeit für die digitale Transformation in der "
                "Verwaltungsspitze verankern.",
                1,
                "Kommunen, Landkreise",
            ),
            DemoRecommendation(
                "Förderprogramme an eine beschlossene Strategie statt an Einzelprojekte knüpfen.",
                4,
                "Bund, Länder",
            ),
        ),
        closing="Nächster Workshop: Transparenz, Teilhabe und Mitgestaltung.",
    ),
    DemoMinutes(
        session_title="International Workshop 1: Smart City Strategies in Europe and North America",
        approved=True,
        opening="The workshop is opened at 09:30. Partners from six countries take part; the "
        "working language is English.",
        work_top=5,
        discussion="The breakout groups discussed governance, participation and data "
        "sovereignty. Partners stressed long-term frameworks that survive changes of "
        "government, and public ownership of urban data.",
        decisions=("The international partners comment on the draft charter in spring 2017.",),
        action_items=(
            DemoActionItem(
                "Collect the partners' national strategy documents in a shared folder",
                "florian.eckert@bmwsb.example.org",
                4,
                closed_in="International Workshop 2",
                closed_note="Folder shared with all partners.",
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Kommunen sollen die Hoheit über Daten aus öffentlichen Infrastrukturen "
                "vertraglich sichern.",
                3,
                "Kommunen, kommunale Unternehmen",
            ),
        ),
    ),
    DemoMinutes(
        session_title="Workshop 3: Transparenz, Teilhabe und Mitgestaltung",
        approved=True,
        opening="Frau Sommerfeld eröffnet die Sitzung. Der Entwurf der Leitlinie 1 liegt vor.",
        work_top=5,
        discussion="Beteiligung braucht analoge und digitale Wege. Die Teilnehmenden "
        "forderten, Algorithmen in der Verwaltung nachvollziehbar zu machen.",
        decisions=(
            "Leitlinie 2 nimmt die Barrierefreiheit digitaler Beteiligungsangebote ausdrücklich "
            "auf.",
        ),
        action_items=(
            DemoActionItem(
                "Beispiele guter digitaler Beteiligung für die Charta zusammenstellen",
                "lena.hofmann@okfn.example.org",
                8,
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Daten der Verwaltung als offene Daten bereitstellen, soweit Datenschutz und "
                "Sicherheit nicht entgegenstehen.",
                2,
                "Kommunen, Länder",
            ),
            DemoRecommendation(
                "Digitale Beteiligungsangebote barrierefrei gestalten und durch analoge Wege "
                "ergänzen.",
                2,
                "Kommunen",
            ),
        ),
    ),
    DemoMinutes(
        session_title="Workshop 4: Infrastrukturen, Daten und Dienstleistungen",
        approved=True,
        opening="Herr Dr. Roth eröffnet die Sitzung und erläutert den Stand der Charta.",
        work_top=5,
        discussion="Die Arbeitsgruppen diskutierten Datensouveränität, offene Standards und "
        "Daseinsvorsorge. Drei Städte stellten ihre Datenstrategien vor. Kommunale "
        "Unternehmen sehen sich als Datendrehscheibe; "
        "Open-Source-Lösungen sollen Abhängigkeiten verringern.",
        decisions=("Leitlinie 3 wird um einen Abschnitt zu offenen Standards ergänzt.",),
        action_items=(
            DemoActionItem(
                "Formulierungsvorschlag zu offenen Standards und Schnittstellen vorlegen",
                "sebastian.kuehn@vku.example.org",
                4,
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Bei der Beschaffung offene Standards und Schnittstellen verlangen.",
                3,
                "Kommunen, kommunale Unternehmen",
            ),
            DemoRecommendation(
                "Breitbandausbau im ländlichen Raum als Teil der Daseinsvorsorge fördern.",
                3,
                "Bund, Länder",
            ),
        ),
    ),
    DemoMinutes(
        session_title="International Workshop 2: Towards a Smart City Charter",
        approved=True,
        opening="The workshop is opened by the German ministry. The draft charter was sent "
        "to all partners in advance.",
        work_top=5,
        discussion="The partners welcomed the normative approach of the charter and proposed "
        "regular exchange between national smart city programmes.",
        decisions=("An English version of the charter will be published with the German one.",),
        recommendations=(
            DemoRecommendation(
                "Städte sollen sich international über Erfahrungen mit Smart-City-Strategien "
                "austauschen und gemeinsame Standards unterstützen.",
                4,
                "Kommunen, Bund, internationale Partner",
            ),
        ),
    ),
    DemoMinutes(
        session_title="Workshop 5: Ressourcen, Kompetenzen und Kooperationen – Abschluss der "
        "Charta",
        approved=False,
        opening="Frau Sommerfeld eröffnet die letzte Sitzung zur Charta.",
        work_top=5,
        discussion="Die Handlungsempfehlungen wurden Leitlinie für Leitlinie abgestimmt. "
        "Offen ist noch die Formulierung zu interkommunalen Kooperationen.",
        decisions=("Die Charta wird nach redaktioneller Überarbeitung veröffentlicht.",),
        action_items=(
            DemoActionItem(
                "Redaktionelle Endfassung der Charta erstellen",
                "jan-philipp.roth@bbsr.example.org",
                3,
            ),
        ),
        recommendations=(
            DemoRecommendation(
                "Kompetenzen für die digitale Transformation in Aus- und Fortbildung der "
                "Verwaltung verankern.",
                4,
                "Kommunen, Länder",
            ),
            DemoRecommendation(
                "Interkommunale Zusammenarbeit bei Digitalisierungsvorhaben gezielt fördern.",
                4,
                "Länder, kommunale Spitzenverbände",
            ),
        ),
    ),
)
