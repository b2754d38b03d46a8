"""Synthetic referater in the formats of the real ones, for benchmarks.

Pure Python (no Django). ``generate_meetings(n, seed)`` yields ``GeneratedMeeting``s:
the structure a reader of the archive should see, in the field names and forms of
PARSE_OUTPUT.md; ``render(meeting)`` writes one out as a minutes file in one of the
seed formats (markdown or plain text, the 2019/2020 layout for meetings up to 2020
or the 2024 layout after). ``generate(n, seed)`` yields ``(file_name, text)``.

Invariants:
* lazy and deterministic: the same (n, seed) gives the same files, one at a time;
  the first k of n meetings do not depend on n except through the case pools;
* every meeting has its own (body, date, start time), the archive's unique key: the
  i-th meeting takes slot ``(a * i + c) mod SLOTS`` of an enumeration of weekdays x
  bodies x start times (``meeting_keys``), with ``a`` coprime to SLOTS, so up to
  1.4 million meetings never collide;
* ``reading.read_text(render(m))`` gives back the structure of ``m`` (tests/test_generator.py).

Words come from the seed referater: sentence templates whose slots are filled
with areas, units, bodies, places, amounts and compound words (``vejplan``,
``skolevejplan``). Compounds are drawn from Zipf distributions, so a few words are
frequent and most are rare, as in real text.
"""

import bisect
import datetime
import itertools
import math
import pathlib
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from tqdm import tqdm

from minutes.reading.shape import Item, Meeting, OtherDecision

FIRST_DAY = datetime.date(2007, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)
WEEKDAYS = [
    FIRST_DAY + datetime.timedelta(days=d)
    for d in range((LAST_DAY - FIRST_DAY).days + 1)
    if (FIRST_DAY + datetime.timedelta(days=d)).weekday() < 5
]
TIMES = (
    [None]
    + [datetime.time(h, m) for h in range(8, 16) for m in (0, 30)]
    + [datetime.time(16, 0), datetime.time(17, 0), datetime.time(18, 0)]
)
# (name, number of members); every body gets the same share of the meetings
BODIES = [
    ("Direktionen", 5),
    ("Økonomiudvalget", 9),
    ("Kommunalbestyrelsen", 27),
    ("Hovedudvalget", 12),
    ("Teknik- og Miljøudvalget", 7),
    ("Børne- og Familieudvalget", 7),
    ("Unge- og Beskæftigelsesudvalget", 7),
    ("Ældre- og Sundhedsudvalget", 7),
    ("Socialudvalget", 7),
    ("Kultur- og Fritidsudvalget", 7),
    ("Plan- og Erhvervsudvalget", 7),
    ("Klimaudvalget", 7),
    ("Handicaprådet", 9),
    ("Integrationsrådet", 9),
]
SLOTS = len(WEEKDAYS) * len(BODIES) * len(TIMES)
LAST_OLD_LAYOUT_YEAR = 2020
MONTHS = "januar februar marts april maj juni juli august september oktober november december".split()
WEEKDAY_NAMES = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"]

FIRST_NAMES = (
    "Martin Jørgen Lene Anne Per Ole Jan Michael Søren Mette Hanne Kirsten Lars Henrik Peter Birgitte "
    "Camilla Jesper Louise Karina Helle Tina Rasmus Mads Jens Niels Bo Susanne Charlotte Pia Stine Helge "
    "Bente Inge "
    "Frederik Ida Emma Sofie Anders Thomas Morten Rikke Jane Marianne Kim Poul Erik Dorthe Gitte Lone Torben"
).split()
MIDDLE_NAMES = "Kjær Lysgaard Ole Marie Hald Bøgh Vestergaard Holm Juul Brix Dahl".split()
LAST_NAMES = (
    "Damm Christensen Olsen Mikkelsen Gravesen Thomsen Sørensen Jensen Nielsen Hansen Pedersen Andersen "
    "Larsen Rasmussen Jørgensen Petersen Madsen Kristensen Møller Schwartzbach Hegner Zenth Veisegaard "
    "Christiansen Lund Frederiksen Mortensen Poulsen Johansen Knudsen Skov Bech Eriksen Lauridsen Friis"
).split()
TOWNS = (
    "Kalundborg Høng Gørlev Ubby Svebølle Jerslev Rørby Ulstrup Havnsø Føllenslev Sejerø Nekselø Årby "
    "Raklev Reersø Tømmerup Gierslev Bjergsted Særslev Drøsselbjerg"
).split()
STREETS = (
    "Holbækvej Klosterparkvej Skibbrogade Møllebakken Slagelsevej Kordilgade Munkesøvej Stationsvej "
    "Vestre Havnevej Smedelundsgade Hyldens Kvarter"
).split(" ")
AREAS = (
    "arbejdsmarkedsområdet|børne- og familieområdet|ældreområdet|handicapområdet|skoleområdet|"
    "dagtilbudsområdet|beskæftigelsesområdet|sundhedsområdet|vejområdet|kulturområdet|miljøområdet|"
    "ejendomsområdet|IT-området|specialundervisningsområdet|hjemmeplejen|plejeboligområdet|psykiatriområdet|"
    "integrationsområdet|fritidsområdet|voksen-handicapområdet|hjælpemiddelområdet|forsyningsområdet"
).split("|")
UNITS = (
    "Økonomistaben|Digitalisering og IT|Voksenspecialenheden|Jobcentret|Kultur og Fritid|Teknik og Miljø|"
    "Borgerservice|HR og Arbejdsmiljø|Udviklingsstaben|Sekretariatet|Fagcenter Børn, Læring og Uddannelse|"
    "Sundhed og Myndighed|Kontrolgruppen|Ejendomsservice|Vej og Park|Byg og Miljø|Kommunikation"
).split("|")
ROLES = (
    "Direktøren Stabschefen Sekretariatschefen Økonomichefen Kommunaldirektøren Fagchefen Styregruppen "
    "Kulturchefen Jobcenterchefen Ejendomschefen"
).split()
LOCATIONS = (
    "Direktionens kontor|Holbækvej 141 B, Kalundborg|Byrådssalen, Rådhuset|"
    "Byrådssalen, Rådhuset, Holbækvej 141 B, Kalundborg|Kultur og Fritid, Kalundborg Bibliotek|"
    "Mødelokale 1, Rådhuset|Mødelokale 3, Rådhuset|Høng Skole|Gørlev Bibliotek|Jobcentret, Kalundborg|"
    "Kalundborg Hallerne, mødelokale 2|Virtuelt møde via Teams"
).split("|")

# First parts and last parts of Danish compounds; "vej" + "plan" -> "vejplan".
COMPOUND_HEADS = (
    "vej skole ældre bolig klima affalds spildevands kultur idræts havne erhvervs sundheds pleje dagtilbuds "
    "fritids biblioteks beredskabs natur trafik cykel budget anlægs drifts service kontrol flåde lade energi "
    "varme vand digitaliserings rekrutterings arbejdsmiljø kompetence integrations beskæftigelses ungdoms "
    "handicap psykiatri misbrugs forebyggelses genoptrænings rehabiliterings borger medarbejder leder "
    "organisations kommunikations økonomi regnskabs revisions indkøbs udbuds ejendoms bygnings "
    "vedligeholdelses planlægnings lokalplan landdistrikts turisme event frivilligheds forenings sprog læse "
    "trivsels inklusions transport kørsels rute parkerings belysnings demografi effektiviserings sygefravær "
    "tilsyns kvalitets data hjemmehjælps plejeboligs"
).split()
COMPOUND_TAILS = (
    "plan strategi pulje politik indsats projekt analyse evaluering rapport budget ramme aftale tilsyn model "
    "proces program redegørelse opgørelse udvidelse renovering tilskud bevilling gruppe forum kampagne "
    "undersøgelse statistik takst kontrakt partnerskab samarbejde styring opfølgning prioritering udmøntning "
    "registrering konference portal system katalog regulativ handleplan"
).split()


def _compounds() -> list[str]:
    words = []
    for head, tail in itertools.product(COMPOUND_HEADS, COMPOUND_TAILS):
        if head.endswith(tail[0]) and head[-1] not in "s":  # "vej" + "jord": drop doubled letters
            continue
        words.append(head + tail)
    random.Random(1).shuffle(words)  # the Zipf rank must not follow the alphabet
    return words


COMPOUNDS = _compounds()
COMPOUND_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(COMPOUNDS))))
HEADS = random.Random(2).sample(COMPOUND_HEADS, len(COMPOUND_HEADS))
HEAD_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(HEADS))))

# Templates from the seed referater. Slots: {x} compound word, {X} the same capitalised, {area}, {unit},
# {body}, {town}, {street}, {amount}, {year}, {date}, {n}, {person}, {role}. No template may start like a
# section label, a case number or "…s møde den …", nor contain "Sagsnr." (the parser reads those).
SUMMARY = """\
Der afholdes månedligt drøftelse med borgmesteren om aktuelle emner.
{unit} fremlægger {x} pr. {date}.
Som opfølgning på budgetaftalens pkt. U{n} nedsatte direktionen ultimo {year} en projektgruppe,
    hvis opdrag var at forberede {x}.
Projektet blev tilrettelagt i 4 faser: idefase, analysefase, beslutningsfase og implementeringsfase.
Sagen forelægges med henblik på en drøftelse af {x} på {area}.
Fast punkt på dagsordenen efter møderne i {body}, hvor sager på vej til politisk behandling koordineres.
Kontrolgruppens kerneopgave er at sikre, at borgerne får den ydelse, de er berettiget til, hverken
    mere eller mindre.
Med virkning pr. 1. januar {year} foreslås det, at {x} samles i en central enhed.
Økonomistaben fremlægger budgetopfølgning pr. {date}, som viser et samlet mindreforbrug på {amount}
    i forhold til korrigeret budget.
Dispositionsregnskaberne viser et samlet forventet merforbrug på {amount} ekskl. virkningerne af
    træk på demografipuljerne.
I forlængelse af planseminaret i {year} besluttede {body} en række aktiviteter og analyser frem mod
    budget {year}.
{unit} har undersøgt mulighederne for at erstatte den nuværende {x} med en digital løsning.
Partnerskabet om {x} afholdt den {date} sin årlige konference i {town}.
Hovedudvalget orienteres om, at der i den kommende tid igangsættes {x} i {town}.
Der ansøges om {amount} til {x} med henblik på at understøtte projektet.
Sagen vedrører {x} i {town} og er en opfølgning på den tidligere behandling i {body}.
Som led i aftalen mellem regeringen og KL om kommunernes økonomi {year} skal kommunerne styrke {x}.
Direktionen har besluttet at rykke ét møde om måneden ud til en decentral afdeling, denne gang {unit}.
{person}, projektleder for {x}, deltager i mødet under dette punkt.
Løbende opsamling på hensigtserklæringer og nye aktiviteter i budget {year}.
Arbejdsgruppen for {x} blev nedsat i forbindelse med kommunens ledelses-bootcamp.
Kommunen skal ikke godkende sagen, men skal orienteres om {x} på {area}."""
PRESENTATION = """\
Som led i budgetaftalen blev det besluttet at samle {x} i en central styring.
Rapportens væsentligste konklusion er, at der på stort set alle omkostningsområder er små eller
    store effektiviseringsgevinster i en central {x}.
Centrale problemstillinger er bl.a., at bilflåden er relativt gammel, og at indkøb af biler sker
    meget ujævnt.
Den oprindelige tidsplan for projektet opererede med, at {x} kunne afleveres til drift medio {year}.
Anbefalingen fra andre kommuner er, at {x} skal være klargjort, inden flådestyringen idriftsættes.
Det anbefales, at der snarest ansættes en medarbejder til at forberede implementeringen af {x}.
I forbindelse med projektets analysefase har arbejdsgruppe og styregruppe set på, hvordan {x} kan
    styrkes på {area}.
Med udgangspunkt i andre kommuners erfaringer og udviklingen på {area} foreslås følgende strategi.
Baggrunden for budgetopfølgningen er partnerskabsholdernes dispositionsregnskaber.
Hvis der forventes merforbrug, bliver der lagt en handleplan i dialog med direktøren og {unit}.
På grund af situationen på {area} er der på en række punkter væsentligt øget usikkerhed i forhold
    til udgiftsniveauet.
Der forventes et merforbrug på {amount}, hvilket hovedsageligt skyldes flere borgere i målgruppen for {x}.
Der er på økonomiudvalgets område afsat {amount} for {year} i en demografipulje til imødegåelse af
    den demografiske udvikling på {area}.
Puljen disponeres efter beslutning i økonomiudvalget, og der forventes aktuelt ikke et træk på puljen.
I aftalen mellem regeringen og KL om kommunernes økonomi i {year} er der sat en ramme for
    kommunernes samlede udgifter til service.
Måltallet for, om Kalundborg Kommune overholder sin del af aftalen, er det oprindeligt vedtagne
    budget til service.
I forhold til de oprindeligt budgetterede serviceudgifter forventes et mindreforbrug på {amount}.
På anlægsområdet viser budgetopfølgningen, at der forventes et mindreforbrug ultimo {year} på {amount}.
Gennem drøftelser og en brugerundersøgelse har gruppen formuleret en række delkonklusioner om {x}.
Der opleves bredt blandt medarbejderne et efterslæb i forhold til centrale systemer og {x}.
Brugerundersøgelsen peger på, at brugerne foretrækker personlig oplæring frem for {x}.
Kontrolgruppen skal hvert år rapportere de forventede besparelser til KL ved at beregne den
    månedlige besparelse.
Kontrolgruppen i Kalundborg Kommune består fortsat af {n} medarbejdere fordelt på {area} og øvrige
    kontrolområder.
Den samlede beregnede besparelseseffekt ud fra KL's beregningsmodel er for begge områder på i alt {amount}.
Tilsynet med en almen boligorganisation føres af den kommune, hvor boligorganisationen ifølge
    vedtægterne har hjemsted.
Kommunegarantier er altid baseret på et lån optaget af en afdeling og tinglyst på den enkelte afdeling.
Udviklingen i {town} var i fokus, da {x} blev præsenteret på konferencen.
Kommunen havde i samarbejde med andre lokale partnere bidraget til planlægningen af {x}.
Oplægget skal give et nuanceret billede af afdelingen, blandt andet med fokus på {x}.
Der er i effektiviseringspuljen i {year} et rådighedsbeløb på {amount}, der kan frigives til
    projekter efter ansøgning.
Ved at udvide kriterierne åbnes der op for, at også projekter med fokus på kerneopgaven kan søge puljen.
Ændringerne understøtter den tværgående indsats i organisationen og sikrer en større sammenhængskraft.
Samtidig vil {x} give mulighed for bedre risikostyring og et præcist overblik over udgifterne.
Det skal understreges, at det ikke er hensigten at overvåge medarbejderne, men alene at sikre optimal drift.
{X} forventes igangsat umiddelbart inden årsskiftet og evalueres efter et år.
Der skal ske en afrapportering til Kommunalbestyrelsen af fremdriften på {x} på planseminaret i
    marts {year}.
Økonomistaben vil løbende anmode de ansvarlige chefer om at påføre aktivitetsstatus for {x}.
Eventuelle ændringer i direktør- eller chefområde bedes meddelt {unit}.
Projektet gennemføres i samarbejde med {unit} og forventes afsluttet i {year}.
Høringssvarene fra {town} og {town} peger på et ønske om en styrket {x}.
{person} deltager sammen med {person} og giver en kort orientering om {x}.
Forvaltningen vurderer, at {x} kan gennemføres inden for den eksisterende ramme på {area}.
Arealet ved {street} i {town} indgår i den samlede {x} for området.
Der er behov for en struktureret og standardiseret proces for {x} og introduktion af nye medarbejdere.
Samlet set vurderes {x} at medføre en årlig besparelse på {amount} fra {year}.
Kulturchef {person} deltager i mødet sammen med medarbejderrepræsentanter fra {unit}.
Data fra {x} tilgår flådestyringen som et led i planlægningen."""
CLAUSES = """\
at orienteringen tages til efterretning
at sagen drøftes
at emnet drøftes
at {x} godkendes
at der af direktionens midler bevilges {amount} til {x}
at rammerne og ansøgningsskemaet godkendes
at projektet videreføres i fase 3, beslutningsfase
at der udarbejdes en sag til {body} om {x}
at {unit} bemyndiges til at igangsætte {x}
at der gives en anlægsbevilling på {amount} til {x} i {town}
at effektiviseringsgevinsterne hjemtages med virkning fra {year}
at budgetopfølgningen godkendes
at {x} sendes i høring
at strategien drøftes
at sager på vej til politisk behandling koordineres
at der følges op på mødet i {body}"""
BULLETS = """\
hvem er ansvarlig direktør og chef for den enkelte hensigtserklæring
hvilken aktivitet der igangsættes
en økonomimodel for {x}
hvilke konkrete styringssystemer der skal anvendes
forebyggelse af udbetaling af uretmæssige ydelser
at {x} finansieres via anlægsbevilling
at der etableres ét ladepunkt pr. bil
at {x} evalueres årligt
at {unit} inddrages i {x}
en tidsplan for {x} i {town}"""
LEADS = (
    "Skemaet viser følgende:|I beslutningsfasen skal træffes en række beslutninger, bl.a.:|"
    "Forvaltningen foreslår følgende:|Projektet omfatter:|Resultater fra undersøgelsen:"
).split("|")
SUBHEADINGS = (
    "For serviceudgifterne:|For anlægsudgifterne:|Serviceudgifter|Udvalgets anlæg|{unit}:|"
    "Jobcentret/Borgerservice excl. administration:|Sundhed og Myndighed, demografipulje:"
).split("|")
ECONOMY = """\
Ingen.
Ingen bemærkninger.
Indtil videre ingen økonomiske konsekvenser.
{unit} afholder udgiften på {amount} inden for egen budgetramme.
Det foreslås, at der årligt i budgetårene {year} - {year} reserveres en anlægsbevilling på {amount}.
Udgiften på {amount} finansieres af {x}.
Mindreforbrug på {amount} i forhold til korrigeret budget.
{X} indgår i budgettet for {area}."""
TOPICS = (
    "budgetopfølgning pr. {date}|flådestyring af Kalundborg Kommunes bilflåde|"
    "strategi for overgang til 0-emissionsdrift|ladeinfrastruktur til kommunens elbiler|"
    "etablering af kontaktcenter i Kalundborg Kommune|kanalstrategi|"
    "nye rammer for Effektiviseringspuljen|hensigtserklæringer, sammendrag og opfølgning - budget {year}|"
    "råderumskatalog|program for lederkonferencen {year}|frivilligstrategi|IT-kompetenceudvikling|"
    "fælles årsrapportering på kontrolgruppens arbejde|GPS-trackere i kommunens biler|"
    "kulturkonferencen {year}|{x} i {town}|{x} på {area}|"
    "lokalplan nr. {n} for et område ved {street} i {town}|{x}|{x}|{x}|kommuneplantillæg nr. {n}|"
    "skolestruktur i {town}|klimahandleplan {year}|affaldsplan {year}|{x} for {town}|"
    "sygefravær på {area}|salg af areal ved {street}|køb af ejendom på {street} i {town}|regnskab {year}|"
    "budget {year}|temamøder i Kommunalbestyrelsen|decentrale direktionsmøder - {unit}|tilsyn med {x}|"
    "ansøgning om tilskud til {x}|kvalitetsrapport for {area}|fusion mellem boligorganisationer i {town}"
).split("|")
TITLE_FORMS = (
    "{t}|{t}|{t}|Orientering om {t}|Godkendelse af {t}|Status på {t}|Evaluering af {t}|Opfølgning på {t}|"
    "Drøftelse af {t}|Beslutning om {t}|{t} - faseskift til beslutningsfase|{t} - finansiering|"
    "{t} - høringssvar|{t} - Økonomiudvalgets eget område|"
    "Ansøgning til Effektiviseringspuljen om støtte til {t}"
).split("|")
ATTACHMENTS = (
    "{X}|Udkast til {x}|Samleark {year} pr. {dmy}|Notat om {x}|Afrapportering af analysefase_DOCX|"
    "Ansøgningsskema {year}|Kort over {town}|Høringssvar fra {town}|Tidsplan for {x}|"
    "Budgetoversigt {year}|Kontrolgruppens årsskrift {year}|Opfølgning på hensigtserklæringer {year}|"
    "Månedsrapport pr. {date}|Bilag {n} - {x}"
).split("|")
CASE_TYPES = (
    "Orientering.|Orientering.|Beslutning.|Beslutning.|Drøftelse.|Beslutning|"
    "Præsentation for, og drøftelse i, direktionen."
).split("|")
JOURNALS = (
    "00.01.10 00.22.04 85.02.00 00.32.00 00.30.00 03.01.02 81.00.00 85.11.20 00.13.02 27.12.08-P20 "
    "05.01.00 13.02.00 17.01.10 29.09.00-A00"
).split()
# (decision type, texts); free words of type "other" must not start with a decision word.
DECISIONS = [
    (
        "approved",
        25,
        [
            "Godkendt.",
            "Godkendt.",
            "Godkendt med de faldne bemærkninger.",
            "Godkendt, idet {x} indgår i den videre proces.",
            "Indstillingen godkendt.",
            "Godkendt.\n\nA og Ø imod, idet de mener at pengene skal tages af kassen.",
        ],
    ),
    (
        "recommended",
        20,
        [
            "Anbefales.",
            "Anbefales.",
            "Anbefales med den tilføjelse, at {x} indgår.",
            "Indstillingen anbefales.",
        ],
    ),
    (
        "discussed",
        15,
        [
            "Drøftet.",
            "Drøftet.",
            "Drøftelse.",
            "Drøftet. Muligheden for at inddrage {x} skal undersøges, inden sagen går videre.",
            "Drøftet og Økonomi justerer og fremlægger en revideret udgave til direktionen.",
        ],
    ),
    (
        "noted",
        15,
        [
            "Taget til efterretning.",
            "Orienteringen taget til efterretning.",
            "Taget til efterretning med de faldne bemærkninger.",
        ],
    ),
    (
        "other",
        12,
        [
            "Budgetaftalens hensigtserklæringer og bemærkninger blev gennemgået.",
            "Arbejdsgruppen præsenterede sit oplæg, og direktionen besluttede, at der arbejdes videre "
            "med en handleplan for {x}.",
            "Direktionen besluttede, at {unit} udarbejder et nyt oplæg om {x}.",
            "Sekretariatet udarbejder et nyt oplæg til næste møde.",
            "Punktet blev behandlet sammen med punkt {n}.",
            "Oplægget blev præsenteret, og der arbejdes videre med {x}.",
        ],
    ),
    ("rejected", 3, ["Ikke godkendt.", "Afvist.", "Anbefales ikke."]),
    ("postponed", 4, ["Udsat.", "Udsat til næste møde.", "Sagen udsættes.", "Aflyst."]),
    ("no_remarks", 2, ["Ingen bemærkninger."]),
    (None, 4, [None]),
]
DECISION_WEIGHTS = list(itertools.accumulate(weight for _, weight, _ in DECISIONS))
SHORT_DECISIONS = {"Godkendt.", "Anbefales.", "Drøftet.", "Taget til efterretning.", "Udsat.", "Afvist."}
TERM_START = 2006  # Danish local elections 2005, 2009, ...: councils sit from January the year after


@dataclass(frozen=True)
class GeneratedMeeting:
    body: str
    date: datetime.date
    start_time: datetime.time | None
    location: str
    participants: tuple[str, ...]
    items: tuple[Item, ...]
    contents: tuple[str, ...]  # the table of contents as a reader sees it (long titles cut off)
    old_layout: bool
    markdown: bool
    style: int  # seeds the choice of headings, line wraps and spellings in render()

    def as_parsed(self) -> Meeting:
        """What the parser should read from render(self)."""
        return Meeting(
            self.body, self.date, self.start_time, self.location, self.participants, self.items, self.contents
        )

    @property
    def file_name(self) -> str:
        time = f"_{self.start_time:%H%M}" if self.start_time else ""
        return f"{self.date.isoformat()}{time}_{slug(self.body)}.txt"


def slug(name: str) -> str:
    name = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


# --- filling templates ------------------------------------------------------------


class _Writer:
    """Fills templates for one meeting from one random stream."""

    def __init__(self, rng: random.Random, year: int, date: datetime.date, people: list[str]):
        self.rng = rng
        self.year = year
        self.date = date
        self.people = people

    def fill(self, template: tuple) -> str:
        text, slots = template
        return text.format(*[slot(self) for slot in slots]) if slots else text

    def pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def slot_x(self) -> str:
        random = self.rng.random
        word = COMPOUNDS[bisect.bisect(COMPOUND_WEIGHTS, random() * COMPOUND_WEIGHTS[-1])]
        if random() < 0.25:  # a three-part compound ("skole" + "vejplan"): the long tail of rare words
            head = HEADS[bisect.bisect(HEAD_WEIGHTS, random() * HEAD_WEIGHTS[-1])]
            if not word.startswith(head):
                word = head + word
        return word

    def slot_X(self) -> str:
        word = self.slot_x()
        return word[0].upper() + word[1:]

    def slot_area(self) -> str:
        return self.pick(AREAS)

    def slot_unit(self) -> str:
        return self.pick(UNITS)

    def slot_body(self) -> str:
        return self.pick(BODIES)[0]

    def slot_town(self) -> str:
        return self.pick(TOWNS)

    def slot_street(self) -> str:
        return self.pick(STREETS)

    def slot_role(self) -> str:
        return self.pick(ROLES)

    def slot_person(self) -> str:
        return self.pick(self.people)

    def slot_n(self) -> str:
        return str(1 + int(self.rng.random() * 20))

    def slot_year(self) -> str:
        return str(self.year + int(self.rng.random() * 3) - 1)

    def slot_date(self) -> str:
        day = self.date - datetime.timedelta(days=int(self.rng.random() * 90))
        return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"

    def slot_dmy(self) -> str:
        return f"{self.date:%d.%m.%Y}"

    def slot_amount(self) -> str:
        x = self.rng.random()
        if x < 0.6:  # 0,1 - 99,9 mio. kr.
            return f"{(int(x * 1665) + 1) / 10:.1f} mio. kr.".replace(".", ",", 1)
        return f"{int((x - 0.6) * 2495 + 2) * 1000:,} kr.".replace(",", ".")

    def sentences(self, templates: list[tuple], k: int) -> str:
        random, n = self.rng.random, len(templates)
        return " ".join([self.fill(templates[int(random() * n)]) for _ in range(k)])

    def paragraphs(self, templates: list[tuple], budget: int) -> list[str]:
        """Paragraphs of 1-4 sentences until about ``budget`` characters."""
        out, size = [], 0
        while size < budget:
            paragraph = self.sentences(templates, 1 + int(self.rng.random() * 4))
            out.append(paragraph)
            size += len(paragraph)
        return out


def _compile(template: str) -> tuple[str, tuple]:
    """'a {x} b.' -> ('a {} b.', (_Writer.slot_x,)), for str.format."""
    template = template.replace("{amount}.", "{amount}")  # an amount ends in "kr." already
    slots = tuple(getattr(_Writer, f"slot_{name}") for name in re.findall(r"\{(\w+)\}", template))
    return re.sub(r"\{\w+\}", "{}", template), slots


def _compile_lines(block: str) -> list[tuple]:
    return [_compile(line) for line in re.sub(r"\n\s+", " ", block).split("\n")]


SUMMARY_T, PRESENTATION_T, CLAUSES_T, BULLETS_T, ECONOMY_T = map(
    _compile_lines, (SUMMARY, PRESENTATION, CLAUSES, BULLETS, ECONOMY)
)
TOPICS_T = [_compile(t) for t in TOPICS]
ATTACHMENTS_T = [_compile(t) for t in ATTACHMENTS]
SUBHEADINGS_T = [_compile(t) for t in SUBHEADINGS]
DECISIONS_T = [(kind, [None if t is None else _compile(t) for t in texts]) for kind, _, texts in DECISIONS]


EVENTUELT_T = _compile("{person} orienterede om {x}.")
DECISION_TEMPLATES = dict(DECISIONS_T)


# --- cases ----------------------------------------------------------------------


def _case_number(year: int, serial: int, old_layout: bool) -> str:
    if old_layout or year <= LAST_OLD_LAYOUT_YEAR:
        return f"326-{year}-{serial % 99000 + 1}"
    if year >= 2025 and serial % 3 == 0:
        return f"EMN-{year}-{serial % 999983:06d}"
    suffix = "K" if serial % 17 == 0 else ""
    return f"{year % 100:02d}-{serial % 999983:06d}{suffix}"


class _Cases:
    """Case numbers; about a third of the items reuse a case from a pool per year, so cases recur."""

    def __init__(self, n: int, seed: int):
        self.seed = seed
        self.pool = max(8, round(n * 0.03))  # about 5 items per pooled case

    def pick(self, rng: random.Random, year: int, old_layout: bool) -> tuple[str, tuple[int, int] | None]:
        """(case number, (year, key) of a recurring case or None)."""
        if rng.random() < 0.35:
            case_year = max(FIRST_DAY.year, year - int(rng.random() * 3))
            key = self.seed * 1_000_003 + case_year * 10_007 + int(rng.random() * self.pool)
            serial = random.Random(key).randrange(1, 10**9)
            return _case_number(case_year, serial, case_year <= LAST_OLD_LAYOUT_YEAR), (case_year, key)
        return _case_number(year, rng.randrange(1, 10**9), old_layout), None


def _standing_case(seed: int, body: int, key: int, year: int) -> str:
    """Standing items (Eventuelt, …) keep one case number per body for an election term."""
    term_year = max(FIRST_DAY.year, TERM_START + (year - TERM_START) // 4 * 4)
    serial = random.Random(seed * 7919 + body * 104_729 + key * 31 + term_year).randrange(1, 10**9)
    return _case_number(term_year, serial, year <= LAST_OLD_LAYOUT_YEAR)


# --- meetings ---------------------------------------------------------------------


def meeting_keys(n: int, seed: int = 0) -> Iterator[tuple[int, datetime.date, datetime.time | None]]:
    """(index into BODIES, date, start time) of the n meetings: all different, spread over the years."""
    if not 0 <= n <= SLOTS:
        raise ValueError(f"n must be between 0 and {SLOTS}")
    a = int(SLOTS * 0.381966) + seed * 7919  # a step near SLOTS / golden ratio spreads any prefix evenly
    while math.gcd(a, SLOTS) != 1:
        a += 1
    c = seed * 104_729 + 12_345
    for i in range(n):
        slot, t = divmod((a * i + c) % SLOTS, len(TIMES))
        d, b = divmod(slot, len(BODIES))
        yield b, WEEKDAYS[d], TIMES[t]


def _members(seed: int, body: int, term: int) -> list[str]:
    rng = random.Random(seed * 31 + body * 1009 + term * 7)
    size = BODIES[body][1]
    names: dict[str, None] = {}
    if body == 0 and term >= 4:  # the seeds' Direktionen
        names.update(
            dict.fromkeys(
                ["Michael Gravesen", "Jan Lysgaard Thomsen", "Michel van der Linden", "Søren Ole Sørensen"]
            )
        )
    while len(names) < size:
        first = rng.choice(FIRST_NAMES)
        middle = f" {rng.choice(MIDDLE_NAMES)}" if rng.random() < 0.25 else ""
        names[f"{first}{middle} {rng.choice(LAST_NAMES)}"] = None
    return list(names)


def generate_meetings(n: int, seed: int = 0) -> Iterator[GeneratedMeeting]:
    """The structures of n synthetic referater, one at a time."""
    rng = random.Random(seed)
    cases = _Cases(n, seed)
    members: dict[tuple[int, int], list[str]] = {}
    for b, date, start_time in meeting_keys(n, seed):
        term = (date.year - TERM_START) // 4
        if (b, term) not in members:
            members[(b, term)] = _members(seed, b, term)
        yield _meeting(rng, cases, seed, b, date, start_time, members[(b, term)])


def _meeting(rng, cases, seed, b, date, start_time, members) -> GeneratedMeeting:
    body = BODIES[b][0]
    old = date.year <= LAST_OLD_LAYOUT_YEAR
    participants = list(members)
    for _ in range(int(rng.random() * 3)):  # afbud
        if len(participants) > 2:
            participants.pop(int(rng.random() * len(participants)))
    rng.shuffle(participants)
    if old and rng.random() < 0.7:  # the 2019/2020 seeds list no participants
        participants = []
    w = _Writer(rng, date.year, date, members)

    standing_first, standing_last = _standing_items(body)
    total = max(len(standing_first) + len(standing_last) + 1, min(20, round(rng.gauss(10, 3))))
    plan = standing_first + [None] * (total - len(standing_first) - len(standing_last)) + standing_last
    items = []
    for number, standing in enumerate(plan, start=1):
        if standing is None:
            items.append(_item(w, cases, number, body, date, old))
        else:
            items.append(_standing_item(w, seed, b, number, standing, body, date, old))
    contents = tuple(_contents_entry(item)[0] for item in items)
    return GeneratedMeeting(
        body=body,
        date=date,
        start_time=start_time,
        location=w.pick(LOCATIONS),
        participants=tuple(participants),
        items=tuple(items),
        contents=contents,
        old_layout=old,
        markdown=rng.random() < 0.5,
        style=rng.randrange(2**32),
    )


def _standing_items(body: str) -> tuple[list, list]:
    """(key, title, closed, decision kind) of the items every meeting of a body has."""
    if body == "Direktionen":
        first = [
            (1, "Drøftelse af emner med borgmesteren", False, "discussed"),
            (
                2,
                "Orientering fra Økonomiudvalgsmødet og koordinering af sager til politisk behandling",
                False,
                "discussed",
            ),
        ]
        last = [
            (3, "Orientering om sager på vej til udvalgsbehandling", True, None),
            (4, "Formidling af Direktionens drøftelser og beslutninger til organisationen", True, None),
        ]
    else:
        first = [(5, "Meddelelser", False, "noted")]
        last = []
    return first, last + [(6, "Eventuelt", False, "eventuelt")]


def _standing_item(w, seed, b, number, standing, body, date, old) -> Item:
    key, title, closed, kind = standing
    if closed:
        return Item(number, title, True)
    rng = w.rng
    case_number = _standing_case(seed, b, key, date.year) if old or kind != "eventuelt" else None
    meta = _old_meta(w, date) if old else {}
    if kind == "eventuelt":
        if old:
            return Item(number, title, False, case_number, **meta)
        text = "Ingen bemærkninger." if rng.random() < 0.7 else w.fill(EVENTUELT_T)
        return Item(
            number,
            title,
            False,
            None,
            decision=text,
            decision_type="no_remarks" if text == "Ingen bemærkninger." else "other",
        )
    decision, decision_type = _decision(w, kind)
    return Item(
        number,
        title,
        False,
        case_number,
        **meta,
        case_type=("Drøftelse" if kind == "discussed" else "Orientering") if old else None,
        decision=decision,
        decision_type=decision_type,
        treated_by=(body,),
        summary=w.sentences(SUMMARY_T, 1),
        recommendation=f"{w.slot_role()} indstiller, at emnet drøftes.",
        economic_consequences="Ingen." if rng.random() < 0.5 else None,
    )


def _decision(w: _Writer, kind: str | None = None) -> tuple[str | None, str | None]:
    if kind is None:
        kind, templates = DECISIONS_T[bisect.bisect(DECISION_WEIGHTS, w.rng.random() * DECISION_WEIGHTS[-1])]
    else:
        templates = DECISION_TEMPLATES[kind]
    template = w.pick(templates)
    return (None, None) if template is None else (w.fill(template), kind)


def _old_meta(w: _Writer, date: datetime.date) -> dict:
    return {
        "journal_number": w.pick(JOURNALS),
        "document_number": f"326-{date.year}-{w.rng.randrange(1000, 330000)}",
    }


def _title(w: _Writer) -> str:
    title = w.pick(TITLE_FORMS).replace("{t}", w.fill(w.pick(TOPICS_T)))
    return title[0].upper() + title[1:]


def _item(w: _Writer, cases: _Cases, number: int, body: str, date: datetime.date, old: bool) -> Item:
    rng = w.rng
    case_number, recurring = cases.pick(rng, date.year, old)
    if recurring:  # one case, one title, across meetings
        case_year, key = recurring
        title = _title(_Writer(random.Random(key), case_year, datetime.date(case_year, 6, 30), w.people))
    else:
        title = _title(w)
    meta = _old_meta(w, date) if old else {}
    if rng.random() < 0.18:  # Lukket: a case number at most, or in the old layout sometimes a decision
        if not old:
            return Item(number, title, True, case_number if rng.random() < 0.7 else None)
        if rng.random() < 0.6:
            return Item(number, title, True)
        decision, decision_type = _decision(w, "approved")
        return Item(number, title, True, case_number, **meta, decision=decision, decision_type=decision_type)

    decision, decision_type = _decision(w)
    treated = [body] + [name for name, _ in BODIES[:4] if name != body and rng.random() < 0.3]
    if rng.random() < 0.2:
        treated.insert(0, treated.pop())  # another body treated the item first
    other_decisions = ()
    if old and len(treated) > 1 and rng.random() < 0.3:
        position = treated.index(body)
        other_decisions = tuple(
            OtherDecision(
                name,
                date + datetime.timedelta(days=(k - position) * rng.randint(1, 9)),
                w.fill(w.pick(DECISION_TEMPLATES[w.pick(["approved", "recommended", "noted"])])),
            )
            for k, name in enumerate(treated)
            if name != body
        )

    budget = int(math.exp(rng.uniform(math.log(300), math.log(3000))))  # body text, log-uniform
    summary = "\n\n".join(w.paragraphs(SUMMARY_T, budget // 5))
    clauses = [w.fill(w.pick(CLAUSES_T)) for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 4))]
    role = w.slot_role()
    if len(clauses) == 1:
        recommendation = f"{role} indstiller, {clauses[0]}."
    else:
        recommendation = f"{role} indstiller,\n\n" + "\n".join(f"{k}. {c}" for k, c in enumerate(clauses, 1))
    presentation = w.paragraphs(PRESENTATION_T, max(1, budget - len(summary) - len(recommendation)))
    if rng.random() < 0.3:
        bullets = "\n".join("- " + w.fill(w.pick(BULLETS_T)) for _ in range(rng.randint(2, 5)))
        presentation.insert(rng.randint(0, len(presentation)), f"{w.pick(LEADS)}\n\n{bullets}")
    if rng.random() < 0.2:
        presentation.insert(rng.randint(1, len(presentation)), w.fill(w.pick(SUBHEADINGS_T)))
    if rng.random() < 0.08:
        presentation = []  # some items have no Sagsfremstilling text (001 seed, item 10)
    economy = w.sentences(ECONOMY_T, 1)
    if rng.random() < 0.1:
        economy += "\n\n" + _table(w)
    attachments = {}
    for _ in range(int(rng.random() * rng.random() * 4)):
        title_ = w.fill(w.pick(ATTACHMENTS_T))
        attachments.setdefault(title_.lower(), title_)
    return Item(
        number,
        title,
        False,
        case_number,
        **meta,
        case_type=w.pick(CASE_TYPES).rstrip(".") if old else None,
        decision=decision,
        decision_type=decision_type,
        other_decisions=other_decisions,
        treated_by=tuple(treated),
        attachments=tuple(attachments.values()),
        summary=summary,
        recommendation=recommendation,
        presentation="\n\n".join(presentation) or None,
        economic_consequences=economy if rng.random() < 0.9 else None,
    )


def _table(w: _Writer) -> str:
    rows = [
        (
            f"{w.pick(['løn m.v. til', 'indkøb af', 'drift af', 'etablering af'])} {w.slot_x()}",
            w.rng.randint(5, 900) * 1000,
        )
        for _ in range(w.rng.randint(2, 4))
    ]
    rows.append(("i alt", sum(amount for _, amount in rows)))
    return "\n".join(f"{label}\t{amount:,} kr.".replace(",", ".") for label, amount in rows)


def _contents_entry(item: Item) -> tuple[str, str]:
    """(what a reader sees in the table of contents, the line as written without the page number)."""
    title = f"Lukket: {item.title}" if item.closed else item.title
    if len(title) > 95:  # the export cuts long titles off and drops the dots (000 seed)
        shown = title[:92].rstrip(" .,-")
        return shown, shown + "\t"
    return title, title + "....."


# --- rendering --------------------------------------------------------------------


def render(meeting: GeneratedMeeting) -> str:
    """The minutes file of a generated meeting, in its layout and format."""
    rng = random.Random(meeting.style)
    md = meeting.markdown
    date = meeting.date
    out = [f"\n\n{'# ' if md else ''}REFERAT {meeting.body} d. {date:%d-%m-%Y}\n"]
    when = f"{WEEKDAY_NAMES[date.weekday()]} d. {date:%d}. {MONTHS[date.month - 1]} {date.year}"
    if meeting.start_time:
        when += f" kl. {meeting.start_time:%H:%M}"
    label = (lambda s: f"**{s}**{' ' * rng.randint(1, 11)}") if md else (lambda s: f"{s} ")
    out.append(f"{label('Mødedato')}{when}\n")
    out.append(f"{label('Mødested')}{meeting.location}\n")
    if meeting.participants:
        names = ", ".join(meeting.participants)
        if len(names) > 70 and rng.random() < 0.6:  # wrapped over lines (000 seed, markdown hard breaks)
            names = _wrap(names, 70, "  \n" if md else "\n")
        out.append(f"{label('Mødedeltagere')}{names}\n")
    out.append(f"{'## ' if md else ''}Indholdsfortegnelse\n")
    page = 3
    toc = []
    for item in meeting.items:
        line = _contents_entry(item)[1]
        toc.append(f"{line}\t{page}" if line.endswith(".") else f"{line}{page}")
        page += 1 if item.closed or not item.summary else rng.randint(1, 3)
    out.append("\n".join(toc) + "\n")
    render_item = _render_old_item if meeting.old_layout else _render_new_item
    for item in meeting.items:
        out.append(render_item(item, meeting, rng))
    return "\n".join(out)


def _wrap(text: str, width: int, newline: str) -> str:
    cut = text.rfind(" ", 0, width)
    return text if cut <= 0 else text[:cut] + newline + text[cut + 1 :]


def _escape(text: str, md: bool) -> str:
    return text.replace("_", "\\_") if md and "_" in text else text


def _heading(text: str, md: bool, rng: random.Random, level: int) -> str:
    if not md:
        return text
    form = rng.random()
    if form < 0.45:
        return f"{'#' * level} **{text}**"
    if form < 0.9:
        return f"{'#' * level} {text}"
    return f"**{text}**"


# Where a PDF export hyphenates a long word: before a common last part ("Budgetopfølg-" / "ning").
HYPHENATION = re.compile(
    r"(?<=[a-zæøå]{3})(?=(?:ning|ling|else|mødet|udvalg|plan|strategi|styring|område|konference)[a-zæøå]*\b)"
)


def _item_heading(item: Item, md: bool, rng: random.Random) -> str:
    title = f"Lukket: {item.title}" if item.closed else item.title
    title = _escape(title, md)
    text = f"Punkt {item.number}: {title}"
    if len(text) > 80 and rng.random() < 0.3:  # a heading that wraps (003 seed, oekonomiudvalget fixture)
        word = HYPHENATION.search(text, 30)
        if word and rng.random() < 0.5:  # "Budgetopfølg-" / "ning pr. …"
            cut = word.start()
            text = f"{text[:cut]}-{'  ' if md else ''}\n{text[cut:]}"
        else:
            text = _wrap(text, len(text) - 15, "  \n" if md else "\n")
    if not md:
        return text
    form = rng.random()
    if form < 0.6:
        return f"{'#' * rng.choice((1, 2, 2))} **{text}**"
    if form < 0.9:
        return f"{'#' * rng.choice((1, 2))} {text}"
    return f"**{text}**"


def _section(
    label: str, text: str | None, md: bool, rng: random.Random, level: int = 3, subheadings: bool = False
) -> str:
    if text is None:
        return ""
    return f"{_heading(label, md, rng, level)}\n\n{_body_text(text, md, rng, subheadings)}\n"


def _body_text(text: str, md: bool, rng: random.Random, subheadings: bool = False) -> str:
    if not md:
        return text
    text = _escape(text, md)
    if "i alt\t" in text:
        text = re.sub(r"(?m)^i alt\t(.*)$", r"<i>i alt</i>\t<i>\1</i>", text)
    if not subheadings:
        return text
    paragraphs = text.split("\n\n")
    for k, paragraph in enumerate(paragraphs):
        if (
            0 < k
            and len(paragraph) < 60
            and "\n" not in paragraph
            and paragraph[0].isupper()
            and not paragraph.endswith(".")
            and rng.random() < 0.5
        ):
            paragraphs[k] = "#### " + paragraph  # sub-headings inside a section (003 seed)
    return "\n\n".join(paragraphs)


def _treated_by(bodies: tuple[str, ...], rng: random.Random) -> str:
    """The Behandling line, with the spellings of the seeds (Direktion, økonomiudvalget, … og …)."""
    names = []
    for name in bodies:
        form = rng.random()
        if form < 0.15 and name in ("Direktionen", "Kommunalbestyrelsen"):
            name = name[:-2] if name == "Direktionen" else name[:-1]
        elif form < 0.25 and name in ("Økonomiudvalget", "Kommunalbestyrelsen"):
            name = name.lower()
        names.append(name)
    if len(names) > 1 and rng.random() < 0.3:
        line = ", ".join(names[:-1]) + " og " + names[-1]
    else:
        line = ", ".join(names)
    return line + ("." if rng.random() < 0.7 else "")


def _render_new_item(item: Item, meeting: GeneratedMeeting, rng: random.Random) -> str:
    md = meeting.markdown
    out = [_item_heading(item, md, rng) + "\n"]
    if item.case_number:
        out.append(item.case_number + "\n")
    out.append(_section(rng.choice(("Beslutning", "Beslutning", "Beslutninger")), item.decision, md, rng))
    if item.summary or item.recommendation or item.presentation:
        out.append(_heading("Sagsfremstilling", md, rng, 3) + "\n")
    out.append(
        _section(
            rng.choice(("Resume og sagens baggrund", "Resume og sagens baggrund", "Resume")),
            item.summary,
            md,
            rng,
            rng.choice((2, 3)),
        )
    )
    out.append(
        _section(
            rng.choice(("Indstillinger", "Indstillinger", "Indstilling")),
            item.recommendation,
            md,
            rng,
            rng.choice((2, 3)),
        )
    )
    if item.treated_by:
        out.append(_section("Behandling", _treated_by(item.treated_by, rng), md, rng, rng.choice((2, 3))))
    out.append(_section("Sagsfremstilling", item.presentation, md, rng, rng.choice((2, 3)), True))
    out.append(_section("Økonomiske konsekvenser", item.economic_consequences, md, rng, rng.choice((2, 3))))
    if item.attachments:
        out.append(_section("Bilag", "\n\n".join(item.attachments), md, rng, 2))
    return "\n".join(part for part in out if part)


def _decision_heading(body: str, date: datetime.date, md: bool, rng: random.Random) -> str:
    text = f"{body}s møde den {date.day}. {MONTHS[date.month - 1]} {date.year}:"
    return _heading(text, md, rng, 4)


def _render_old_item(item: Item, meeting: GeneratedMeeting, rng: random.Random) -> str:
    md = meeting.markdown
    out = [_item_heading(item, md, rng) + "\n"]
    if item.closed and item.case_number is None:
        return out[0]
    out.append(_heading("Sagsfremstilling", md, rng, 2) + "\n")
    out.append(_heading(f"{item.number}. {_escape(item.title, md)}", md, rng, 3) + "\n")
    status = "Lukket" if item.closed else "Åbent"
    out.append((f"**{status}**" if md and rng.random() < 0.3 else status) + "\n")
    case, journal, document = (
        f"Sagsnr.: {item.case_number}",
        f"J.nr.: {item.journal_number}",
        f"Dokumentnr.: {item.document_number}",
    )
    form = rng.random()
    if form < 0.7:
        out.append(f"{case}{' ' * rng.choice((1, 4))}{journal}{' ' * rng.choice((1, 4))}{document}\n")
    elif form < 0.85:
        out.append(f"{case}\n\n{journal}\n\n{document}\n")
    else:
        out.append(f"{case} {journal}\n\n{document}\n")
    out.append(
        _section(
            "Sagstype",
            f"{item.case_type}." if item.case_type and rng.random() < 0.85 else item.case_type,
            md,
            rng,
            4,
        )
    )
    out.append(_section("Resume og sagens baggrund", item.summary, md, rng, 4))
    out.append(_section("Indstillinger", item.recommendation, md, rng, 4))
    if item.treated_by:
        out.append(_section("Behandling", _treated_by(item.treated_by, rng), md, rng, 4))
    out.append(_section("Sagsfremstilling", item.presentation, md, rng, 4, True))
    out.append(_section("Økonomiske konsekvenser", item.economic_consequences, md, rng, 4))
    bare = (
        item.decision in SHORT_DECISIONS
        and item.attachments
        and not item.other_decisions
        and rng.random() < 0.2
    )
    if item.attachments:  # first with document numbers (004 seed), repeated after the decision
        listed = [
            _escape(title, md) + rng.choice(("\t", "\n\n")) + f"326-{meeting.date.year}-"
            f"{rng.randrange(1000, 330000)}"
            for title in item.attachments
        ]
        if bare:  # a bare decision after the Bilag, without the body's heading (004 seed, item 3)
            listed.append(item.decision)
        out.append(f"{_heading('Bilag', md, rng, 4)}\n\n" + "\n\n".join(listed) + "\n")
    for decision in item.other_decisions:
        out.append(f"{_decision_heading(decision.body, decision.date, md, rng)}\n\n{decision.text}\n")
    if not bare:
        heading = _decision_heading(meeting.body, meeting.date, md, rng)
        text = item.decision or "-"
        if md and rng.random() < 0.3 and "\n" not in text:  # "**…:**  " hard break, text below (003 seed)
            out.append(f"**{heading.strip('#* ')}**  \n{_escape(text, md)}\n")
        else:
            out.append(f"{heading}\n\n{_escape(text, md)}\n")
    if item.attachments:
        out.append(_section("Bilag", "\n\n".join(item.attachments), md, rng, 4))
    return "\n".join(part for part in out if part)


def generate(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(file name, text) of n synthetic referater, one at a time."""
    for meeting in generate_meetings(n, seed):
        yield meeting.file_name, render(meeting)


def write_minutes(n: int, outdir: pathlib.Path, seed: int = 0, progress: bool = False):
    """Write the files, each as soon as it is generated; yield (path, number of items) per file.

    One folder per year keeps folders small (100,000 referater make ~5,000 files a year).
    """
    folders: set[int] = set()
    meetings = generate_meetings(n, seed)
    for meeting in tqdm(meetings, total=n, unit="referat", disable=not progress, file=sys.stderr):
        folder = outdir / str(meeting.date.year)
        if meeting.date.year not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(meeting.date.year)
        path = folder / meeting.file_name
        path.write_text(render(meeting), encoding="utf-8")
        yield path, len(meeting.items)
