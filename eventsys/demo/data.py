"""The content of the demo platform: organisations, experts, working groups, staff and sessions.

The people are invented; the organisations carry the names of the kind of institutions that take
part in the Dialogplattform Smart Cities. Every e-mail address is on example.org, so nothing
the demo sends can reach a real mailbox.

The module is long because it is one table of data (with the few small types that shape it);
the code that loads it is in `demo.services`. Each demo expert's own time zone is part of that
data, not the platform's setting.
"""

import calendar
from dataclasses import dataclass
from datetime import date, time

from eventsys.experts.salutations import Salutation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.roles import Role
from eventsys.sessions.states import SessionKind, SessionStatus


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    group: StakeholderGroup
    country: str | None = None


@dataclass(frozen=True)
class DemoWorkingGroup:
    name: str
    description: str


@dataclass(frozen=True)
class DemoExpert:
    title: str
    first_name: str
    last_name: str
    email: str
    organisation: DemoOrganisation
    function: str
    groups: tuple[DemoWorkingGroup, ...] = ()
    # The e-mail address of the expert who stands in for this one.
    deputy: str | None = None
    language: str = "de"
    timezone: str = "Europe/Berlin"
    active: bool = True
    # Known for the people the demo minutes speak of; the others are greeted without one.
    salutation: Salutation = Salutation.NONE


@dataclass(frozen=True)
class DemoStaffAccount:
    name: str
    email: str
    role: Role


@dataclass(frozen=True)
class DemoAgendaItem:
    title: str
    minutes: int
    # Either an expert's e-mail address or a free-text presenter (or neither).
    presenter_email: str | None = None
    presenter_text: str = ""
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class DemoSession:
    title: str
    kind: SessionKind
    status: SessionStatus
    starts: time
    ends: time
    agenda: tuple[DemoAgendaItem, ...]
    description: str = ""
    venue_address: str = ""
    venue_room: str = ""
    online_url: str = ""
    capacity: int | None = None


@dataclass(frozen=True, kw_only=True)
class PastSession(DemoSession):
    day: date


@dataclass(frozen=True, kw_only=True)
class UpcomingSession(DemoSession):
    # Held on the first `weekday` that is at least `days_ahead` days after the demo is loaded.
    days_ahead: int
    weekday: int = calendar.TUESDAY


# ---------------------------------------------------------------------------------------------
# Organisations

# Short aliases keep the tables below readable.
G = StakeholderGroup

MUENSTER = DemoOrganisation("Stadt Münster", G.MUNICIPALITIES)
ULM = DemoOrganisation("Stadt Ulm", G.MUNICIPALITIES)
LEIPZIG = DemoOrganisation("Stadt Leipzig", G.MUNICIPALITIES)
KAISERSLAUTERN = DemoOrganisation("Stadt Kaiserslautern", G.MUNICIPALITIES)
ARNSBERG = DemoOrganisation("Stadt Arnsberg", G.MUNICIPALITIES)
KREIS_STEINFURT = DemoOrganisation("Kreis Steinfurt", G.MUNICIPALITIES)
POTSDAM_MITTELMARK = DemoOrganisation("Landkreis Potsdam-Mittelmark", G.MUNICIPALITIES)

STAEDTETAG = DemoOrganisation("Deutscher Städtetag", G.UMBRELLA_ASSOCIATIONS)
LANDKREISTAG = DemoOrganisation("Deutscher Landkreistag", G.UMBRELLA_ASSOCIATIONS)
DSTGB = DemoOrganisation("Deutscher Städte- und Gemeindebund", G.UMBRELLA_ASSOCIATIONS)

BMWSB = DemoOrganisation(
    "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen", G.FEDERAL_MINISTRIES
)
BBSR = DemoOrganisation(
    "Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR)", G.FEDERAL_MINISTRIES
)
BMI = DemoOrganisation("Bundesministerium des Innern", G.FEDERAL_MINISTRIES)
BMBF = DemoOrganisation("Bundesministerium für Bildung und Forschung", G.FEDERAL_MINISTRIES)
BMDV = DemoOrganisation("Bundesministerium für Digitales und Verkehr", G.FEDERAL_MINISTRIES)
BMWK = DemoOrganisation("Bundesministerium für Wirtschaft und Klimaschutz", G.FEDERAL_MINISTRIES)

NRW = DemoOrganisation(
    "Ministerium für Heimat, Kommunales, Bau und Digitalisierung des Landes Nordrhein-Westfalen",
    G.STATE_MINISTRIES,
)
BAYERN = DemoOrganisation(
    "Bayerisches Staatsministerium für Wohnen, Bau und Verkehr", G.STATE_MINISTRIES
)
BADEN_WUERTTEMBERG = DemoOrganisation(
    "Ministerium für Landesentwicklung und Wohnen Baden-Württemberg", G.STATE_MINISTRIES
)
SACHSEN = DemoOrganisation(
    "Sächsisches Staatsministerium für Regionalentwicklung", G.STATE_MINISTRIES
)
HESSEN = DemoOrganisation(
    "Hessisches Ministerium für Wirtschaft, Energie, Verkehr, Wohnen und ländlichen Raum",
    G.STATE_MINISTRIES,
)

FRAUNHOFER_IESE = DemoOrganisation(
    "Fraunhofer-Institut für Experimentelles Software Engineering IESE", G.SCIENCE
)
FRAUNHOFER_IAO = DemoOrganisation(
    "Fraunhofer-Institut für Arbeitswirtschaft und Organisation IAO", G.SCIENCE
)
DIFU = DemoOrganisation("Deutsches Institut für Urbanistik (Difu)", G.SCIENCE)
RPTU = DemoOrganisation("RPTU Kaiserslautern-Landau, Fachgebiet Stadtplanung", G.SCIENCE)
HCU = DemoOrganisation("HafenCity Universität Hamburg", G.SCIENCE)
UNI_STUTTGART = DemoOrganisation(
    "Universität Stuttgart, Institut für Raumordnung und Entwicklungsplanung", G.SCIENCE
)
WUPPERTAL_INSTITUT = DemoOrganisation("Wuppertal Institut für Klima, Umwelt, Energie", G.SCIENCE)

BITKOM = DemoOrganisation("Bitkom e. V.", G.BUSINESS_ASSOCIATIONS)
VKU = DemoOrganisation("Verband kommunaler Unternehmen (VKU)", G.BUSINESS_ASSOCIATIONS)
ZVEI = DemoOrganisation("ZVEI – Verband der Elektro- und Digitalindustrie", G.BUSINESS_ASSOCIATIONS)
DIHK = DemoOrganisation("Deutsche Industrie- und Handelskammer (DIHK)", G.BUSINESS_ASSOCIATIONS)

PARITAETISCHER = DemoOrganisation("Der Paritätische Gesamtverband", G.SOCIAL_ASSOCIATIONS)
CARITAS = DemoOrganisation("Deutscher Caritasverband", G.SOCIAL_ASSOCIATIONS)
VDK = DemoOrganisation("Sozialverband VdK Deutschland", G.SOCIAL_ASSOCIATIONS)
AWO = DemoOrganisation("AWO Bundesverband", G.SOCIAL_ASSOCIATIONS)
DIAKONIE = DemoOrganisation("Diakonie Deutschland", G.SOCIAL_ASSOCIATIONS)

SRL = DemoOrganisation(
    "SRL – Vereinigung für Stadt-, Regional- und Landesplanung", G.PROFESSIONAL_ASSOCIATIONS
)
DVW = DemoOrganisation(
    "DVW – Gesellschaft für Geodäsie, Geoinformation und Landmanagement",
    G.PROFESSIONAL_ASSOCIATIONS,
)
BAK = DemoOrganisation("Bundesarchitektenkammer", G.PROFESSIONAL_ASSOCIATIONS)
DEUTSCHER_VERBAND = DemoOrganisation(
    "Deutscher Verband für Wohnungswesen, Städtebau und Raumentwicklung",
    G.PROFESSIONAL_ASSOCIATIONS,
)
BINGK = DemoOrganisation("Bundesingenieurkammer", G.PROFESSIONAL_ASSOCIATIONS)

OKF = DemoOrganisation("Open Knowledge Foundation Deutschland", G.CIVIL_SOCIETY)
NETZWERK_BETEILIGUNG = DemoOrganisation("Netzwerk Bürgerbeteiligung", G.CIVIL_SOCIETY)
DNR = DemoOrganisation("Deutscher Naturschutzring (DNR)", G.CIVIL_SOCIETY)
VZBV = DemoOrganisation("Verbraucherzentrale Bundesverband (vzbv)", G.CIVIL_SOCIETY)

VIENNA = DemoOrganisation("Urban Innovation Vienna", G.INTERNATIONAL_PARTNERS, "AT")
SWITZERLAND = DemoOrganisation(
    "Swiss Federal Office for Spatial Development (ARE)", G.INTERNATIONAL_PARTNERS, "CH"
)
NETHERLANDS = DemoOrganisation(
    "Dutch Ministry of the Interior and Kingdom Relations", G.INTERNATIONAL_PARTNERS, "NL"
)
DENMARK = DemoOrganisation("Gate 21", G.INTERNATIONAL_PARTNERS, "DK")
FRANCE = DemoOrganisation(
    "Ministère de l'Aménagement du territoire et de la Décentralisation",
    G.INTERNATIONAL_PARTNERS,
    "FR",
)
CANADA = DemoOrganisation(
    "Housing, Infrastructure and Communities Canada", G.INTERNATIONAL_PARTNERS, "CA"
)

# ---------------------------------------------------------------------------------------------
# Working groups

AG_DATEN = DemoWorkingGroup(
    "AG Daten und Plattformen",
    "Kommunale Datenstrategien, offene Schnittstellen und urbane Datenplattformen: "
    "wie Städte die Hoheit über ihre Daten behalten und sie für das Gemeinwohl nutzen.",
)
AG_TEILHABE = DemoWorkingGroup(
    "AG Teilhabe und Beteiligung",
    "Transparenz, digitale und analoge Beteiligung, Barrierefreiheit und die Frage, wie "
    "niemand bei der digitalen Transformation der Stadt zurückbleibt.",
)
AG_INFRASTRUKTUR = DemoWorkingGroup(
    "AG Infrastruktur und Mobilität",
    "Breitband, Energie- und Verkehrsnetze, Sensorik und die Rolle der kommunalen Unternehmen "
    "in der vernetzten Daseinsvorsorge.",
)
AG_KOMPETENZEN = DemoWorkingGroup(
    "AG Kompetenzen und Kooperation",
    "Personal, Qualifizierung und Finanzierung in den Verwaltungen sowie die Zusammenarbeit "
    "zwischen Kommunen, Ländern, Bund, Wissenschaft und Wirtschaft.",
)

WORKING_GROUPS = (AG_DATEN, AG_TEILHABE, AG_INFRASTRUKTUR, AG_KOMPETENZEN)

# ---------------------------------------------------------------------------------------------
# Experts

E = DemoExpert

# One expert per entry, kept compact so the table can be read as a list of people.
# fmt: off
EXPERTS = (
    # Städte, Kreise und Gemeinden
    E("Dr.", "Katharina", "Wessels", "katharina.wessels@muenster.example.org", MUENSTER,
      "Leiterin Stabsstelle Digitalisierung", (AG_DATEN,),
      deputy="jonas.huelsmann@muenster.example.org"),
    E("", "Jonas", "Hülsmann", "jonas.huelsmann@muenster.example.org", MUENSTER,
      "Referent Smart City"),
    E("Dr.", "Martin", "Baumeister", "martin.baumeister@ulm.example.org", ULM,
      "Leiter Geschäftsstelle Digitale Agenda", (AG_INFRASTRUKTUR,)),
    E("", "Sabine", "Reichle", "sabine.reichle@ulm.example.org", ULM,
      "Amtsleiterin Stadtplanung", (AG_TEILHABE,),
      deputy="martin.baumeister@ulm.example.org"),
    E("Dr.", "Ulrike", "Sachse", "ulrike.sachse@leipzig.example.org", LEIPZIG,
      "Amtsleiterin Stadtplanungsamt", (AG_TEILHABE,),
      deputy="thomas.kirchhoff@leipzig.example.org"),
    E("", "Thomas", "Kirchhoff", "thomas.kirchhoff@leipzig.example.org", LEIPZIG,
      "Referent Digitale Stadt", (AG_DATEN,)),
    E("Dr.", "Stefan", "Weinmann", "stefan.weinmann@kaiserslautern.example.org", KAISERSLAUTERN,
      "Leiter Referat Digitalisierung", (AG_INFRASTRUKTUR,)),
    E("", "Miriam", "Köhler", "miriam.koehler@kaiserslautern.example.org", KAISERSLAUTERN,
      "Projektleiterin Digitale Modellkommune", (AG_KOMPETENZEN,)),
    E("", "Elisabeth", "Grote", "elisabeth.grote@arnsberg.example.org", ARNSBERG,
      "Fachdienstleiterin Stadtentwicklung und Demografie", (AG_TEILHABE,)),
    E("", "Ralf", "Schulte-Berg", "ralf.schulte-berg@arnsberg.example.org", ARNSBERG,
      "Sachgebietsleiter IT und Organisation", (AG_INFRASTRUKTUR,)),
    E("", "Birgit", "Overmeyer", "birgit.overmeyer@kreis-steinfurt.example.org", KREIS_STEINFURT,
      "Leiterin Amt für Kreisentwicklung", (AG_KOMPETENZEN,)),
    E("", "Heiko", "Brüning", "heiko.bruening@kreis-steinfurt.example.org", KREIS_STEINFURT,
      "Breitbandkoordinator", (AG_INFRASTRUKTUR,)),
    E("", "Cornelia", "Hahn", "cornelia.hahn@potsdam-mittelmark.example.org", POTSDAM_MITTELMARK,
      "Leiterin Stabsstelle Regionalentwicklung", (AG_KOMPETENZEN,)),
    E("", "Daniel", "Voigt", "daniel.voigt@potsdam-mittelmark.example.org", POTSDAM_MITTELMARK,
      "Referent E-Government", active=False),
    # Kommunale Spitzenverbände
    E("Dr.", "Friederike", "Lindner", "friederike.lindner@staedtetag.example.org", STAEDTETAG,
      "Hauptreferentin Stadtentwicklung, Bauen und Wohnen", (AG_KOMPETENZEN,),
      deputy="tobias.rehberg@staedtetag.example.org"),
    E("", "Tobias", "Rehberg", "tobias.rehberg@staedtetag.example.org", STAEDTETAG,
      "Referent Digitalisierung", (AG_DATEN,)),
    E("Dr.", "Gregor", "Altmann", "gregor.altmann@landkreistag.example.org", LANDKREISTAG,
      "Referent für Digitalisierung und Breitband", (AG_INFRASTRUKTUR,)),
    E("", "Claudia", "Berghoff", "claudia.berghoff@dstgb.example.org", DSTGB,
      "Referatsleiterin Städtebau", (AG_TEILHABE,),
      deputy="lukas.mertens@dstgb.example.org"),
    E("", "Lukas", "Mertens", "lukas.mertens@dstgb.example.org", DSTGB,
      "Referent Innovation und Digitalisierung", (AG_KOMPETENZEN,)),
    # Bundesressorts
    E("Dr.", "Henrike", "Sommerfeld", "henrike.sommerfeld@bmwsb.example.org", BMWSB,
      "Referatsleiterin Stadtentwicklungspolitik",
      deputy="florian.eckert@bmwsb.example.org", salutation=Salutation.MS),
    E("", "Florian", "Eckert", "florian.eckert@bmwsb.example.org", BMWSB,
      "Referent Smart Cities", (AG_KOMPETENZEN,)),
    E("Dr.", "Jan-Philipp", "Roth", "jan-philipp.roth@bbsr.example.org", BBSR,
      "Projektleiter Forschungscluster Smart Cities", (AG_DATEN,),
      deputy="verena.albrecht@bbsr.example.org", salutation=Salutation.MR),
    E("Dr.", "Verena", "Albrecht", "verena.albrecht@bbsr.example.org", BBSR,
      "Wissenschaftliche Referentin Stadtentwicklung", (AG_TEILHABE,),
      salutation=Salutation.MS),
    E("", "Matthias", "Krämer", "matthias.kraemer@bmi.example.org", BMI,
      "Referent Verwaltungsdigitalisierung"),
    E("Dr.", "Stephanie", "Vogel", "stephanie.vogel@bmbf.example.org", BMBF,
      "Referentin Zukunftsstadt", (AG_KOMPETENZEN,)),
    E("", "Andreas", "Pohl", "andreas.pohl@bmdv.example.org", BMDV,
      "Referent Gigabitausbau", (AG_INFRASTRUKTUR,)),
    E("Dr.", "Nicole", "Brenner", "nicole.brenner@bmwk.example.org", BMWK,
      "Referentin Digitalisierung der Energiewende", (AG_INFRASTRUKTUR,)),
    # Städtebauministerien der Länder
    E("Dr.", "Rainer", "Hoppe", "rainer.hoppe@mhkbd.nrw.example.org", NRW,
      "Referatsleiter Stadterneuerung", (AG_INFRASTRUKTUR,),
      deputy="julia.kampmann@mhkbd.nrw.example.org"),
    E("", "Julia", "Kampmann", "julia.kampmann@mhkbd.nrw.example.org", NRW,
      "Referentin Digitale Stadtentwicklung", (AG_DATEN,)),
    E("", "Johannes", "Strobl", "johannes.strobl@stmb.bayern.example.org", BAYERN,
      "Sachgebietsleiter Städtebauförderung", (AG_KOMPETENZEN,)),
    E("Dr.", "Eva", "Maurer", "eva.maurer@mlw.bw.example.org", BADEN_WUERTTEMBERG,
      "Referentin Städtebau und Digitalisierung", (AG_TEILHABE,)),
    E("", "Ronny", "Seidel", "ronny.seidel@smr.sachsen.example.org", SACHSEN,
      "Referent Städtebauförderung"),
    E("", "Petra", "Wagner-Lutz", "petra.wagner-lutz@wirtschaft.hessen.example.org", HESSEN,
      "Referentin Nachhaltige Stadtentwicklung", (AG_KOMPETENZEN,)),
    # Wissenschaftsorganisationen
    E("Prof. Dr.", "Markus", "Steinbach", "markus.steinbach@iese.fraunhofer.example.org",
      FRAUNHOFER_IESE, "Abteilungsleiter Smart City Solutions", (AG_DATEN,),
      deputy="lisa.hartung@iese.fraunhofer.example.org"),
    E("Dr.", "Lisa", "Hartung", "lisa.hartung@iese.fraunhofer.example.org", FRAUNHOFER_IESE,
      "Wissenschaftliche Mitarbeiterin Digitale Ökosysteme", (AG_DATEN,)),
    E("Dr.", "Benedikt", "Sauer", "benedikt.sauer@iao.fraunhofer.example.org", FRAUNHOFER_IAO,
      "Leiter Team Urban Systems Engineering", (AG_INFRASTRUKTUR,)),
    E("Dr.", "Carolin", "Jansen", "carolin.jansen@difu.example.org", DIFU,
      "Wissenschaftliche Mitarbeiterin Stadtentwicklung, Recht und Soziales",
      (AG_KOMPETENZEN,), deputy="hendrik.stolz@difu.example.org"),
    E("Dr.", "Hendrik", "Stolz", "hendrik.stolz@difu.example.org", DIFU,
      "Teamleiter Infrastruktur, Wirtschaft und Finanzen", (AG_INFRASTRUKTUR,)),
    E("Prof. Dr.", "Dorothea", "Klein", "dorothea.klein@rptu.example.org", RPTU,
      "Professorin für Stadtplanung", (AG_TEILHABE, AG_KOMPETENZEN)),
    E("Prof. Dr.", "Niklas", "Bergmann", "niklas.bergmann@hcu.example.org", HCU,
      "Professur Digital City Science", (AG_DATEN,)),
    E("Dr.", "Sophie", "Lorenz", "sophie.lorenz@uni-stuttgart.example.org", UNI_STUTTGART,
      "Wissenschaftliche Mitarbeiterin Raumentwicklung", (AG_KOMPETENZEN,)),
    E("Dr.", "Moritz", "Engel", "moritz.engel@wupperinst.example.org", WUPPERTAL_INSTITUT,
      "Projektleiter Stadtwandel und Energie", (AG_INFRASTRUKTUR,)),
    # Wirtschaftsverbände
    E("Dr.", "Alexander", "Wirth", "alexander.wirth@bitkom.example.org", BITKOM,
      "Bereichsleiter Smart City", (AG_DATEN,),
      deputy="jana.boettcher@bitkom.example.org"),
    E("", "Jana", "Böttcher", "jana.boettcher@bitkom.example.org", BITKOM,
      "Referentin Public Sector", (AG_KOMPETENZEN,)),
    E("", "Sebastian", "Kühn", "sebastian.kuehn@vku.example.org", VKU,
      "Fachgebietsleiter Digitalisierung", (AG_INFRASTRUKTUR,),
      deputy="ina.westphal@vku.example.org"),
    E("Dr.", "Ina", "Westphal", "ina.westphal@vku.example.org", VKU,
      "Referentin Energiewirtschaft und Daten", (AG_DATEN,)),
    E("", "Oliver", "Franke", "oliver.franke@zvei.example.org", ZVEI,
      "Referent Smart Grids und Smart Cities", (AG_INFRASTRUKTUR,)),
    E("", "Christina", "Ebert", "christina.ebert@dihk.example.org", DIHK,
      "Referentin Stadtentwicklung und Handel", (AG_TEILHABE,)),
    # Sozialverbände
    E("", "Ursula", "Schaper", "ursula.schaper@paritaet.example.org", PARITAETISCHER,
      "Referentin Sozialraumentwicklung", (AG_TEILHABE,),
      deputy="michael.hense@caritas.example.org"),
    E("Dr.", "Michael", "Hense", "michael.hense@caritas.example.org", CARITAS,
      "Referent Digitale Teilhabe", (AG_TEILHABE,)),
    E("", "Angelika", "Rösner", "angelika.roesner@vdk.example.org", VDK,
      "Referentin Barrierefreiheit", (AG_TEILHABE,)),
    E("", "Patrick", "Albers", "patrick.albers@awo.example.org", AWO,
      "Referent Quartiersentwicklung", (AG_KOMPETENZEN,)),
    E("", "Heike", "Brandes", "heike.brandes@diakonie.example.org", DIAKONIE,
      "Referentin Digitalisierung in der Sozialen Arbeit"),
    # Fachverbände
    E("Dipl.-Ing.", "Markus", "Vollmer", "markus.vollmer@srl.example.org", SRL,
      "Sprecher Arbeitskreis Digitale Stadt", (AG_TEILHABE,)),
    E("Dr.-Ing.", "Karin", "Ostermann", "karin.ostermann@dvw.example.org", DVW,
      "Leiterin Arbeitskreis Geoinformation und Geodatenmanagement", (AG_DATEN,)),
    E("Dipl.-Ing.", "Christoph", "Adler", "christoph.adler@bak.example.org", BAK,
      "Referent Stadtplanung und Baukultur", (AG_KOMPETENZEN,)),
    E("Dr.", "Simone", "Kessler", "simone.kessler@deutscher-verband.example.org",
      DEUTSCHER_VERBAND, "Referentin Städtebau und Raumentwicklung", (AG_INFRASTRUKTUR,)),
    E("Dr.-Ing.", "Peter", "Langer", "peter.langer@bingk.example.org", BINGK,
      "Referent Digitales Planen und Bauen"),
    # Zivilgesellschaft
    E("", "Lena", "Hofmann", "lena.hofmann@okfn.example.org", OKF,
      "Projektleiterin Offene Daten", (AG_DATEN,),
      deputy="felix.brandt@okfn.example.org"),
    E("", "Felix", "Brandt", "felix.brandt@okfn.example.org", OKF,
      "Projektkoordinator Civic Tech", (AG_TEILHABE,)),
    E("Dr.", "Gudrun", "Meißner", "gudrun.meissner@netzwerk-beteiligung.example.org",
      NETZWERK_BETEILIGUNG, "Koordinatorin des Netzwerks", (AG_TEILHABE,)),
    E("", "Tim", "Nowak", "tim.nowak@dnr.example.org", DNR,
      "Referent Umwelt und Digitalisierung", active=False),
    E("Dr.", "Annika", "Seifert", "annika.seifert@vzbv.example.org", VZBV,
      "Referentin Digitales und Medien", (AG_DATEN,)),
    # Internationale Partner
    E("Dr.", "Johanna", "Pichler", "johanna.pichler@urbaninnovation.example.org", VIENNA,
      "Senior Expert Smart City Strategy", deputy="thomas.haider@urbaninnovation.example.org",
      language="en", timezone="Europe/Vienna"),
    E("", "Thomas", "Haider", "thomas.haider@urbaninnovation.example.org", VIENNA,
      "Project Manager Urban Data", language="en", timezone="Europe/Vienna"),
    E("Dr.", "Reto", "Brunner", "reto.brunner@are.example.org", SWITZERLAND,
      "Head of Sustainable Urban Development", language="en", timezone="Europe/Zurich"),
    E("", "Maarten", "de Vries", "maarten.devries@minbzk.example.org", NETHERLANDS,
      "Senior Policy Advisor, Urban Agenda", language="en", timezone="Europe/Amsterdam"),
    E("", "Mette", "Kjærgaard", "mette.kjaergaard@gate21.example.org", DENMARK,
      "Programme Manager Smart Cities", language="en", timezone="Europe/Copenhagen"),
    E("Dr.", "Claire", "Dubois", "claire.dubois@territoires.example.org", FRANCE,
      "Policy Officer, Sustainable Cities", language="en", timezone="Europe/Paris"),
    E("", "Sarah", "MacLeod", "sarah.macleod@infrastructure.example.org", CANADA,
      "Senior Policy Analyst, Urban Innovation", language="en", timezone="America/Toronto"),
)
# fmt: on

# ---------------------------------------------------------------------------------------------
# Staff accounts

STAFF = (
    DemoStaffAccount("Dr. Birte Langhans", "birte.langhans@bmwsb.example.org", Role.ORGANISER),
    DemoStaffAccount("Marco Seidl", "marco.seidl@moderation.example.org", Role.ORGANISER),
    DemoStaffAccount(
        "Anja Falkenberg", "anja.falkenberg@geschaeftsstelle.example.org", Role.SECRETARIAT
    ),
)

# ---------------------------------------------------------------------------------------------
# Sessions

BMUB_BERLIN = (
    "Bundesministerium für Umwelt, Naturschutz, Bau und Reaktorsicherheit, "
    "Stresemannstraße 128–130, 10117 Berlin"
)
BMWSB_BERLIN = (
    "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen, Krausenstraße 17–18, 10117 Berlin"
)
BBSR_BONN = "Bundesinstitut für Bau-, Stadt- und Raumforschung, Deichmanns Aue 31–37, 53179 Bonn"

MODERATION = "Moderation"
FACILITATION = "Facilitation team"
GESCHAEFTSSTELLE = "Geschäftsstelle der Dialogplattform"

A = DemoAgendaItem
HELD = SessionStatus.HELD

PAST_SESSIONS = (
    PastSession(
        title="Workshop 1: Auftakt der Dialogplattform Smart Cities",
        kind=SessionKind.WORKSHOP,
        status=HELD,
        day=date(2016, 7, 12),
        starts=time(10, 0),
        ends=time(16, 30),
        venue_address=BMUB_BERLIN,
        venue_room="Konferenzsaal",
        description="Die Teilnehmenden lernen sich kennen, klären ihr Verständnis von Smart "
        "Cities und sammeln Chancen und Risiken der Digitalisierung für die Stadtentwicklung.",
        agenda=(
            A(
                "Begrüßung und Ziele der Dialogplattform",
                20,
                "henrike.sommerfeld@bmwsb.example.org",
            ),
            A(
                "Vorstellungsrunde: Erwartungen an die Dialogplattform",
                40,
                presenter_text=MODERATION,
            ),
            A(
                "Impuls: Was macht eine Stadt „smart“?",
                45,
                "markus.steinbach@iese.fraunhofer.example.org",
            ),
            A(
                "Der Forschungscluster Smart Cities des BBSR",
                30,
                "jan-philipp.roth@bbsr.example.org",
            ),
            A(
                "Arbeitsphase: Chancen und Risiken der Digitalisierung für die Stadtentwicklung",
                150,
                presenter_text=MODERATION,
                description="Vier Tischgruppen, Ergebnisse auf Stellwänden.",
            ),
            A("Verabredungen zum weiteren Vorgehen", 25, "florian.eckert@bmwsb.example.org"),
        ),
    ),
    PastSession(
        title="Workshop 2: Ziele, Strategien und Strukturen",
        kind=SessionKind.WORKSHOP,
        status=HELD,
        day=date(2016, 9, 28),
        starts=time(10, 0),
        ends=time(16, 0),
        venue_address=BBSR_BONN,
        venue_room="Großer Sitzungssaal",
        description="Welche Ziele verfolgen Kommunen mit der Digitalisierung, und welche "
        "Strukturen braucht es, um sie zu steuern? Grundlage für Leitlinie 1 der Charta.",
        agenda=(
            A(
                "Begrüßung und Rückblick auf den Auftaktworkshop",
                20,
                "jan-philipp.roth@bbsr.example.org",
            ),
            A(
                "Impuls: Digitalstrategien deutscher Kommunen im Vergleich",
                40,
                "carolin.jansen@difu.example.org",
            ),
            A(
                "Praxisbericht: Wie eine Stadtverwaltung die digitale Transformation organisiert",
                30,
                "katharina.wessels@muenster.example.org",
            ),
            A(
                "Arbeitsgruppen: Leitbilder, Zuständigkeiten und Steuerung",
                120,
                presenter_text=MODERATION,
            ),
            A("Zusammenführung: erste Leitsätze für eine Charta", 60, presenter_text=MODERATION),
            A("Ausblick und Termine", 15, "florian.eckert@bmwsb.example.org"),
        ),
    ),
    PastSession(
        title="International Workshop 1: Smart City Strategies in Europe and North America",
        kind=SessionKind.INTERNATIONAL_WORKSHOP,
        status=HELD,
        day=date(2016, 10, 26),
        starts=time(9, 30),
        ends=time(17, 0),
        venue_address=BMUB_BERLIN,
        venue_room="Konferenzsaal",
        description="Partners from six countries compare national smart city policies and "
        "discuss governance, participation and data sovereignty with the German platform.",
        agenda=(
            A(
                "Welcome and introduction to the German Smart Cities Dialogue Platform",
                30,
                "henrike.sommerfeld@bmwsb.example.org",
            ),
            A(
                "Round of partners: national smart city policies in six countries",
                90,
                presenter_text="International partners",
            ),
            A(
                "Case study: a long-term smart city framework for Vienna",
                40,
                "johanna.pichler@urbaninnovation.example.org",
            ),
            A(
                "Case study: data-informed infrastructure planning in Canadian municipalities",
                40,
                "sarah.macleod@infrastructure.example.org",
            ),
            A(
                "Breakout sessions: governance, participation, data sovereignty",
                120,
                presenter_text=FACILITATION,
            ),
            A("Conclusions and next steps", 30, "florian.eckert@bmwsb.example.org"),
        ),
    ),
    PastSession(
        title="Workshop 3: Transparenz, Teilhabe und Mitgestaltung",
        kind=SessionKind.WORKSHOP,
        status=HELD,
        day=date(2016, 11, 29),
        starts=time(10, 0),
        ends=time(16, 30),
        venue_address=BMUB_BERLIN,
        venue_room="Konferenzsaal",
        description="Wie Digitalisierung Beteiligung stärken kann, ohne Menschen auszuschließen. "
        "Grundlage für Leitlinie 2 der Charta.",
        agenda=(
            A("Begrüßung", 15, "henrike.sommerfeld@bmwsb.example.org"),
            A(
                "Impuls: Digitale Beteiligung ist mehr als eine Online-Umfrage",
                40,
                "gudrun.meissner@netzwerk-beteiligung.example.org",
            ),
            A(
                "Praxisbericht: Ältere Menschen gestalten ihr Quartier mit",
                30,
                "elisabeth.grote@arnsberg.example.org",
            ),
            A(
                "Podiumsgespräch: Digitale Teilhabe für alle",
                60,
                presenter_text="Vertreterinnen und Vertreter der Sozialverbände",
                description="Barrierefreiheit, digitale Spaltung, Rolle der Quartiersarbeit.",
            ),
            A(
                "Arbeitsphase: Empfehlungen zu Transparenz und Mitgestaltung",
                120,
                presenter_text=MODERATION,
            ),
            A("Ergebnissicherung und Ausblick", 30, presenter_text=GESCHAEFTSSTELLE),
        ),
    ),
    PastSession(
        title="Workshop 4: Infrastrukturen, Daten und Dienstleistungen",
        kind=SessionKind.WORKSHOP,
        status=HELD,
        day=date(2017, 1, 26),
        starts=time(10, 0),
        ends=time(16, 30),
        venue_address=BBSR_BONN,
        venue_room="Großer Sitzungssaal",
        description="Offene Standards, Datensouveränität und kommunale Daseinsvorsorge im "
        "digitalen Zeitalter. Grundlage für Leitlinie 3 der Charta.",
        agenda=(
            A("Begrüßung und Einführung", 15, "jan-philipp.roth@bbsr.example.org"),
            A("Impuls: Wem gehören die Daten der Stadt?", 45, "lena.hofmann@okfn.example.org"),
            A("Kommunale Unternehmen als Datendrehscheibe", 30, "sebastian.kuehn@vku.example.org"),
            A(
                "Breitband und offene Plattformen im ländlichen Raum",
                30,
                "gregor.altmann@landkreistag.example.org",
            ),
            A(
                "Arbeitsgruppen: Datensouveränität, offene Standards, Daseinsvorsorge",
                135,
                presenter_text=MODERATION,
            ),
            A("Zusammenfassung und Ausblick", 25, "florian.eckert@bmwsb.example.org"),
        ),
    ),
    PastSession(
        title="International Workshop 2: Towards a Smart City Charter",
        kind=SessionKind.INTERNATIONAL_WORKSHOP,
        status=HELD,
        day=date(2017, 3, 15),
        starts=time(9, 30),
        ends=time(16, 30),
        venue_address=BMUB_BERLIN,
        venue_room="Konferenzsaal",
        description="The international partners comment on the English draft of the Smart City "
        "Charter and suggest recommendations for cooperation across borders.",
        agenda=(
            A(
                "Welcome and report from the national workshops",
                30,
                "florian.eckert@bmwsb.example.org",
            ),
            A(
                "The draft Smart City Charter and its four guidelines",
                45,
                "jan-philipp.roth@bbsr.example.org",
            ),
            A("Feedback from the partner countries", 90, presenter_text="International partners"),
            A(
                "Panel: normative frameworks for the digital city",
                60,
                "reto.brunner@are.example.org",
            ),
            A(
                "Working session: recommendations for international cooperation",
                90,
                presenter_text=FACILITATION,
            ),
            A("Closing remarks", 20, "henrike.sommerfeld@bmwsb.example.org"),
        ),
    ),
    PastSession(
        title="Workshop 5: Ressourcen, Kompetenzen und Kooperationen – Abschluss der Charta",
        kind=SessionKind.WORKSHOP,
        status=HELD,
        day=date(2017, 5, 9),
        starts=time(10, 0),
        ends=time(16, 0),
        venue_address=BMUB_BERLIN,
        venue_room="Konferenzsaal",
        description="Was Kommunen an Personal, Wissen und Zusammenarbeit brauchen (Leitlinie 4), "
        "und die abschließende Abstimmung der Smart City Charta.",
        agenda=(
            A("Begrüßung", 15, "henrike.sommerfeld@bmwsb.example.org"),
            A(
                "Impuls: Kompetenzen für die digitale Stadtverwaltung",
                40,
                "dorothea.klein@rptu.example.org",
            ),
            A(
                "Praxisbericht: Interkommunale Zusammenarbeit im Kreis",
                30,
                "birgit.overmeyer@kreis-steinfurt.example.org",
            ),
            A(
                "Die Smart City Charta: Durchgang durch die vier Leitlinien",
                90,
                "jan-philipp.roth@bbsr.example.org",
            ),
            A("Abstimmung der Handlungsempfehlungen", 90, presenter_text=MODERATION),
            A("Dank und Ausblick auf die Veröffentlichung", 15, "florian.eckert@bmwsb.example.org"),
        ),
    ),
)

UPCOMING_SESSIONS = (
    UpcomingSession(
        title="Plenum: Gemeinwohlorientierte Datenstrategien in der Praxis",
        kind=SessionKind.PLENARY,
        status=SessionStatus.CONFIRMED,
        days_ahead=21,
        weekday=calendar.TUESDAY,
        starts=time(10, 30),
        ends=time(16, 0),
        venue_address=BMWSB_BERLIN,
        venue_room="Saal 1",
        description="Jahrestreffen der Dialogplattform: Stand der Umsetzung der Charta, "
        "Berichte aus den Arbeitsgruppen und Schwerpunkte für das kommende Jahr.",
        agenda=(
            A("Begrüßung und Bericht der Geschäftsstelle", 20, presenter_text=GESCHAEFTSSTELLE),
            A(
                "Die Smart City Charta in den Kommunen: Stand der Umsetzung",
                45,
                "verena.albrecht@bbsr.example.org",
            ),
            A(
                "Praxisbericht: Eine kommunale Datenstrategie entsteht",
                30,
                "thomas.kirchhoff@leipzig.example.org",
            ),
            A(
                "Berichte aus den Arbeitsgruppen",
                60,
                presenter_text="Sprecherinnen und Sprecher der Arbeitsgruppen",
            ),
            A("Diskussion: Schwerpunkte für das kommende Jahr", 75, presenter_text=MODERATION),
            A("Verschiedenes und Termine", 15, presenter_text=GESCHAEFTSSTELLE),
        ),
    ),
    UpcomingSession(
        title="AG Daten und Plattformen: Datenkooperationen zwischen Kommunen und Stadtwerken",
        kind=SessionKind.WORKING_GROUP,
        status=SessionStatus.PLANNED,
        days_ahead=60,
        weekday=calendar.WEDNESDAY,
        starts=time(14, 0),
        ends=time(16, 0),
        online_url="https://meet.example.org/dialogplattform/ag-daten",
        description="Online-Sitzung der Arbeitsgruppe zu Verträgen, Rollen und Schnittstellen, "
        "wenn Städte und ihre Unternehmen Daten gemeinsam nutzen.",
        agenda=(
            A(
                "Begrüßung und Protokoll der letzten Sitzung",
                10,
                "katharina.wessels@muenster.example.org",
            ),
            A(
                "Impuls: Bausteine für kommunale Datenkooperationsverträge",
                30,
                "lisa.hartung@iese.fraunhofer.example.org",
            ),
            A("Erfahrungen der kommunalen Unternehmen", 30, "ina.westphal@vku.example.org"),
            A("Diskussion und nächste Schritte", 40, presenter_text=MODERATION),
        ),
    ),
    UpcomingSession(
        title="Workshop: Kompetenzen für die digitale Stadtentwicklung",
        kind=SessionKind.WORKSHOP,
        status=SessionStatus.PLANNED,
        days_ahead=120,
        weekday=calendar.THURSDAY,
        starts=time(10, 0),
        ends=time(16, 0),
        venue_address=BBSR_BONN,
        venue_room="Großer Sitzungssaal",
        online_url="https://meet.example.org/dialogplattform/workshop-kompetenzen",
        capacity=35,
        description="Hybrider Workshop: Was Verwaltungen lernen müssen, wie sie Fachkräfte "
        "gewinnen und wie Kommunen voneinander lernen. Vor Ort sind die Plätze begrenzt.",
        agenda=(
            A("Begrüßung", 15, "jan-philipp.roth@bbsr.example.org"),
            A(
                "Impuls: Was Verwaltungen für die digitale Transformation lernen müssen",
                40,
                "dorothea.klein@rptu.example.org",
            ),
            A(
                "Praxisbeispiele aus Kaiserslautern und Ulm",
                45,
                "miriam.koehler@kaiserslautern.example.org",
            ),
            A(
                "Arbeitsphase vor Ort und online: Qualifizierung, Personal, Kooperation",
                120,
                presenter_text=MODERATION,
            ),
            A("Ergebnisse und Empfehlungen", 30, presenter_text=MODERATION),
        ),
    ),
)
