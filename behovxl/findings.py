"""The catalogue of findings: every code behovxl can report, in one place.

A finding is data: a stable code (for machines: JSON, a column of its own), its
severity and scope, where it is (sheet, cell, the data-dictionary path), what was
found and what would be right, and a message that a person reads, in Bokmål or
Nynorsk. Every message comes from this catalogue; a form definition may reword a
code's message in its `[messages]` table. Tests compare (code, sheet, cell), never
wording.

Scopes: `cell` (one input or formula cell), `workbook` (the file as a whole, read),
`file` (a file that could not be read as a form) and `batch` (about a file among
the others of a consolidation: duplicates, resubmissions, the roster).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """How a person reads it, in Bokmål (the regional workbook and `check`)."""
        return self.label_in("nb")

    def label_in(self, language: str) -> str:
        words = {"nb": {"error": "Feil", "warning": "Advarsel", "info": "Info"},
                 "nn": {"error": "Feil", "warning": "Åtvaring", "info": "Info"}}
        return words["nn" if language == "nn" else "nb"][self.value]


class Scope(str, Enum):
    CELL = "cell"
    WORKBOOK = "workbook"
    FILE = "file"
    BATCH = "batch"


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
CELL, BOOK, FILE, BATCH = Scope.CELL, Scope.WORKBOOK, Scope.FILE, Scope.BATCH


@dataclass(frozen=True)
class Entry:
    code: str
    severity: Severity
    scope: Scope
    description: str   # Bokmål: what the code means, for the catalogue (`behovxl checks`, docs/checks.md)
    nb: str            # the message template in Bokmål
    nn: str            # and in Nynorsk


def _e(code: str, severity: Severity, scope: Scope, description: str, nb: str, nn: str) -> Entry:
    return Entry(code, severity, scope, description, nb, nn)


# The message templates' placeholders: {where} is «Ark!Celle (felt)»; {found} and {expected}
# are shown as Norwegians write numbers (1 556 519) unless the caller passes text.
CATALOGUE: tuple[Entry, ...] = (
    # -- a file that is not a form we can read
    _e("cannot-open", E, FILE, "Filen finnes ikke eller kan ikke leses.",
       nb="Filen kan ikke leses: {detail}.",
       nn="Fila kan ikkje lesast: {detail}."),
    _e("not-regular-file", E, FILE, "Ikke en vanlig fil (for eksempel en enhet eller en navngitt kanal).",
       nb="Dette er ikke en vanlig fil (for eksempel en lenke til en enhet eller en navngitt kanal), og den er ikke lest.",
       nn="Dette er ikkje ei vanleg fil (til dømes ei lenkje til ei eining eller ein namngitt kanal), og ho er ikkje lesen."),
    _e("empty-file", E, FILE, "Filen er tom.",
       nb="Filen er tom (0 byte). Be nettverket sende skjemaet på nytt.",
       nn="Fila er tom (0 byte). Be nettverket sende skjemaet på nytt."),
    _e("too-large", E, FILE, "Filen er for stor, eller blir for stor når den pakkes ut (zip-bombe).",
       nb="Filen er for stor til å leses trygt ({detail}). Et utfylt skjema er under 1 MB. Be nettverket sende skjemaet på nytt.",
       nn="Fila er for stor til å lesast trygt ({detail}). Eit utfylt skjema er under 1 MB. Be nettverket sende skjemaet på nytt."),
    _e("not-xlsx", E, FILE, "Filen er ikke en Excel-arbeidsbok.",
       nb="Filen er ikke en Excel-arbeidsbok (.xlsx). Be nettverket sende det utfylte Excel-skjemaet.",
       nn="Fila er ikkje ei Excel-arbeidsbok (.xlsx). Be nettverket sende det utfylte Excel-skjemaet."),
    _e("word-file", E, FILE, "Et Word-dokument i stedet for skjemaet.",
       nb="Dette er et Word-dokument. Be nettverket fylle ut Excel-skjemaet.",
       nn="Dette er eit Word-dokument. Be nettverket fylle ut Excel-skjemaet."),
    _e("pdf-file", E, FILE, "En PDF-fil i stedet for skjemaet.",
       nb="Dette er en PDF-fil. Be nettverket sende det utfylte Excel-skjemaet, ikke en PDF.",
       nn="Dette er ei PDF-fil. Be nettverket sende det utfylte Excel-skjemaet, ikkje ein PDF."),
    _e("ods-file", E, FILE, "Et OpenDocument-regneark (.ods) i stedet for skjemaet.",
       nb="Dette er et regneark fra LibreOffice eller OpenOffice (.ods). Be nettverket lagre skjemaet som Excel-arbeidsbok (.xlsx) og sende det på nytt.",
       nn="Dette er eit rekneark frå LibreOffice eller OpenOffice (.ods). Be nettverket lagre skjemaet som Excel-arbeidsbok (.xlsx) og sende det på nytt."),
    _e("xls-file", E, FILE, "Et regneark i et eldre eller annet Excel-format (.xls, .xlsb).",
       nb="Dette er et regneark i et eldre eller annet Excel-format (.xls eller .xlsb). Be nettverket lagre skjemaet som Excel-arbeidsbok (.xlsx) og sende det på nytt.",
       nn="Dette er eit rekneark i eit eldre eller anna Excel-format (.xls eller .xlsb). Be nettverket lagre skjemaet som Excel-arbeidsbok (.xlsx) og sende det på nytt."),
    _e("email-file", E, FILE, "En lagret e-post (.msg, .eml) i stedet for skjemaet.",
       nb="Dette er en lagret e-post, ikke skjemaet. Lagre vedlegget (Excel-skjemaet) fra e-posten og les det inn.",
       nn="Dette er ein lagra e-post, ikkje skjemaet. Lagre vedlegget (Excel-skjemaet) frå e-posten og les det inn."),
    _e("image-file", E, FILE, "Et bilde i stedet for skjemaet.",
       nb="Dette er et bilde. Be nettverket sende det utfylte Excel-skjemaet.",
       nn="Dette er eit bilete. Be nettverket sende det utfylte Excel-skjemaet."),
    _e("encrypted", E, FILE, "En passordbeskyttet arbeidsbok.",
       nb="Filen er passordbeskyttet og kan ikke leses. Be nettverket sende en kopi uten passord.",
       nn="Fila er passordverna og kan ikkje lesast. Be nettverket sende ein kopi utan passord."),
    _e("zip-password", E, FILE, "En zip-pakke med krypterte deler.",
       nb="Filen er kryptert med passord og kan ikke leses. Be nettverket sende skjemaet uten passord.",
       nn="Fila er kryptert med passord og kan ikkje lesast. Be nettverket sende skjemaet utan passord."),
    _e("xml-attack", E, FILE, "XML med DTD, entiteter eller eksterne referanser (mulig angrep).",
       nb="Filen inneholder XML som kan være et angrep og er ikke lest. Be nettverket sende skjemaet på nytt, lagret direkte fra Excel.",
       nn="Fila inneheld XML som kan vere eit åtak, og er ikkje lesen. Be nettverket sende skjemaet på nytt, lagra direkte frå Excel."),
    _e("duplicate-entry", E, FILE, "Samme del finnes to ganger i filen (mulig manipulering).",
       nb="Filen har to versjoner av samme del ({detail}). Den kan være manipulert og er ikke lest. Be nettverket sende skjemaet på nytt.",
       nn="Fila har to versjonar av same del ({detail}). Ho kan vere manipulert og er ikkje lesen. Be nettverket sende skjemaet på nytt."),
    _e("corrupt", E, FILE, "Filen er skadet.",
       nb="Filen er skadet og kan ikke åpnes ({detail}). Be nettverket sende den på nytt.",
       nn="Fila er skadd og kan ikkje opnast ({detail}). Be nettverket sende ho på nytt."),
    _e("timeout", E, FILE, "Det tok for lang tid å lese filen.",
       nb="Det tok for lang tid å lese filen (over {detail} sekunder), og den er ikke lest. Be nettverket sende skjemaet på nytt.",
       nn="Det tok for lang tid å lese fila (over {detail} sekund), og ho er ikkje lesen. Be nettverket sende skjemaet på nytt."),
    _e("out-of-memory", E, FILE, "Filen krevde for mye minne.",
       nb="Filen krevde for mye minne og er ikke lest. Be nettverket sende skjemaet på nytt.",
       nn="Fila kravde for mykje minne og er ikkje lesen. Be nettverket sende skjemaet på nytt."),
    _e("internal-error", E, FILE, "En feil i behovxl mens filen ble lest.",
       nb="Intern feil i behovxl mens filen ble lest; filen er ikke lest. Detaljene er lagret i {detail}. Send gjerne den filen til den som drifter behovxl.",
       nn="Intern feil i behovxl medan fila vart lesen; fila er ikkje lesen. Detaljane er lagra i {detail}. Send gjerne den fila til den som driftar behovxl."),
    _e("not-our-form", E, FILE, "En arbeidsbok som ikke er et av våre skjema.",
       nb="Arbeidsboken er ikke et behovsmeldingsskjema fra Statsforvalteren (arket med skjemainformasjon mangler). Be nettverket bruke skjemaet de fikk tilsendt.",
       nn="Arbeidsboka er ikkje eit behovsmeldingsskjema frå Statsforvaltaren (arket med skjemainformasjon manglar). Be nettverket bruke skjemaet dei fekk tilsendt."),
    _e("unknown-form-version", E, FILE, "Et skjema eller en versjon som verktøyet ikke kjenner.",
       nb="Skjemaet «{found}» er ukjent for dette verktøyet. Kjente skjema: {expected}.",
       nn="Skjemaet «{found}» er ukjent for dette verktøyet. Kjende skjema: {expected}."),
    _e("identity-invalid", E, FILE, "Skjemainformasjonen (år, antall tiltak, målform) er endret til noe ugyldig.",
       nb="Skjemainformasjonen er ugyldig: {detail}. Be nettverket bruke skjemaet de fikk tilsendt.",
       nn="Skjemainformasjonen er ugyldig: {detail}. Be nettverket bruke skjemaet dei fekk tilsendt."),
    # -- the workbook as a whole
    _e("macro-enabled", W, BOOK, "Arbeidsboken er lagret med makroer.",
       nb="Arbeidsboken er lagret med makroer (.xlsm). Makroene er ikke kjørt; bare verdiene i cellene er lest.",
       nn="Arbeidsboka er lagra med makroar (.xlsm). Makroane er ikkje køyrde; berre verdiane i cellene er lesne."),
    _e("identity-mismatch", W, BOOK, "Nettverket i skjemainformasjonen stemmer ikke med dokumentegenskapene.",
       nb="Skjemainformasjonen sier at skjemaet er laget for «{found}», men dokumentegenskapene sier «{expected}». Skjemainformasjonen kan være endret; sjekk hvilket nettverk skjemaet gjelder.",
       nn="Skjemainformasjonen seier at skjemaet er laga for «{found}», men dokumenteigenskapane seier «{expected}». Skjemainformasjonen kan vere endra; sjekk kva nettverk skjemaet gjeld."),
    _e("sheet-missing", E, BOOK, "Et ark i skjemaet mangler eller har fått nytt navn.",
       nb="Arket «{sheet}» mangler eller har fått nytt navn. Feltene på arket er ikke lest.",
       nn="Arket «{sheet}» manglar eller har fått nytt namn. Felta på arket er ikkje lesne."),
    _e("extra-sheet", W, BOOK, "Et ark som ikke hører til skjemaet, med innhold som ikke er lest.",
       nb="Arket «{sheet}» hører ikke til skjemaet. Det har {found} utfylte celler, og de er ikke lest.",
       nn="Arket «{sheet}» høyrer ikkje til skjemaet. Det har {found} utfylte celler, og dei er ikkje lesne."),
    _e("no-cached-values", I, BOOK, "Arbeidsboken er lagret uten utregnede verdier.",
       nb="Arbeidsboken er lagret uten utregnede verdier. Alle summer er regnet ut på nytt.",
       nn="Arbeidsboka er lagra utan utrekna verdiar. Alle summar er rekna ut på nytt."),
    _e("form-empty", E, BOOK, "Skjemaet er ikke fylt ut: ingen tiltak har navn eller beløp.",
       nb="Skjemaet er ikke fylt ut: ingen tiltak har navn eller beløp.",
       nn="Skjemaet er ikkje fylt ut: ingen tiltak har namn eller beløp."),
    # -- reading one cell
    _e("text-number", W, CELL, "Et tall skrevet som tekst; lest, men skjemaets egne summer tar det ikke med.",
       nb="{where}: «{found}» er skrevet som tekst og kommer ikke med i summene. Skriv bare tallet.",
       nn="{where}: «{found}» er skrive som tekst og kjem ikkje med i summane. Skriv berre talet."),
    _e("unparseable-number", E, CELL, "Tekst i et tallfelt som ikke kan leses som et tall.",
       nb="{where}: «{found}» er ikke et tall. Skriv et helt tall, uten tekst.",
       nn="{where}: «{found}» er ikkje eit tal. Skriv eit heilt tal, utan tekst."),
    _e("placeholder", W, CELL, "En hjelpetekst fra Word som står igjen; lest som tomt.",
       nb="{where}: feltet inneholder hjelpeteksten «{found}» og er lest som tomt.",
       nn="{where}: feltet inneheld hjelpeteksten «{found}» og er lese som tomt."),
    _e("fractional-amount", E, CELL, "Et tall med desimaler der det skal være hele tall.",
       nb="{where}: «{found}» er ikke et helt tall. Skriv hele {unit}.",
       nn="{where}: «{found}» er ikkje eit heilt tal. Skriv heile {unit}."),
    _e("negative-amount", E, CELL, "Et negativt beløp eller antall.",
       nb="{where}: {found} er negativt. Beløp og antall kan ikke være under 0.",
       nn="{where}: {found} er negativt. Beløp og tal kan ikkje vere under 0."),
    _e("amount-too-large", E, CELL, "Et beløp eller antall som er urimelig stort for ett felt.",
       nb="{where}: {found} er urimelig stort for ett felt (mer enn {expected}). Sjekk tallet.",
       nn="{where}: {found} er urimeleg stort for eitt felt (meir enn {expected}). Sjekk talet."),
    _e("invalid-choice", E, CELL, "En verdi som ikke er et av feltets valg.",
       nb="{where}: «{found}» er ikke et gyldig valg. Velg ett av: {expected}.",
       nn="{where}: «{found}» er ikkje eit gyldig val. Vel eitt av: {expected}."),
    _e("formula-in-input", W, CELL, "En formel skrevet i et inndatafelt.",
       nb="{where}: feltet inneholder en formel ({found}). Verdien {expected} er brukt.",
       nn="{where}: feltet inneheld ein formel ({found}). Verdien {expected} er brukt."),
    _e("text-too-long", W, CELL, "En tekst som er lengre enn feltet tillater.",
       nb="{where}: teksten har {found} tegn, mer enn de {expected} feltet tillater. Den er lest slik den står, men bør kortes ned.",
       nn="{where}: teksten har {found} teikn, meir enn dei {expected} feltet tillèt. Han er lesen slik han står, men bør kortast ned."),
    # -- formulas
    _e("formula-replaced", E, CELL, "En formelcelle er overskrevet med et tall eller en tekst.",
       nb="{where}: formelen er overskrevet med {found}. Skjemaets formel gir {expected}.",
       nn="{where}: formelen er overskriven med {found}. Formelen i skjemaet gir {expected}."),
    _e("formula-changed", E, CELL, "En formel som er endret fra skjemaets.",
       nb="{where}: formelen er endret til ={found}. Skjemaets formel er ={expected}.",
       nn="{where}: formelen er endra til ={found}. Formelen i skjemaet er ={expected}."),
    _e("stale-value", W, CELL, "En lagret formelverdi som ikke stemmer med utregningen.",
       nb="{where}: arbeidsboken viser {found}, men formelen gir {expected} når den regnes ut på nytt.",
       nn="{where}: arbeidsboka viser {found}, men formelen gir {expected} når han blir rekna ut på nytt."),
    # -- the rules of the form (the workbook's check area shows the same verdicts)
    _e("required-missing", W, CELL, "Et påkrevd felt står tomt.",
       nb="{where}: feltet må fylles ut.",
       nn="{where}: feltet må fyllast ut."),
    _e("required-for-money", E, CELL, "Et tiltak med beløp mangler navn.",
       nb="{where}: feltet må fylles ut når tiltaket har beløp.",
       nn="{where}: feltet må fyllast ut når tiltaket har beløp."),
    _e("amount-thousands", W, CELL, "Et beløp som ser ut til å være skrevet i tusen kroner.",
       nb="{where}: {found} kr ser ut til å være i tusen kroner. Mente dere {expected} kr?",
       nn="{where}: {found} kr ser ut til å vere i tusen kroner. Meinte de {expected} kr?"),
    _e("continuation-thousands", W, CELL, "Et anslag for videreføring som ser ut til å være i tusen kroner.",
       nb="{where}: {found} kr ser ut til å være i tusen kroner. Mente dere {expected} kr?",
       nn="{where}: {found} kr ser ut til å vere i tusen kroner. Meinte de {expected} kr?"),
    _e("coordinator-unused", E, CELL, "Koordinatormidler som ingen tiltak trenger.",
       nb="Det er ført opp {found} kr til koordinator for {scheme}, men ingen tiltak i ordningen trenger koordinator.",
       nn="Det er ført opp {found} kr til koordinator for {scheme}, men ingen tiltak i ordninga treng koordinator."),
    _e("coordinator-missing", W, CELL, "Tiltak trenger koordinator, men det er ikke ført opp koordinatormidler.",
       nb="Tiltak {measures} i {scheme} trenger koordinator, men det er ikke ført opp koordinatormidler for ordningen.",
       nn="Tiltak {measures} i {scheme} treng koordinator, men det er ikkje ført opp koordinatormidlar for ordninga."),
    _e("coordinator-cap", E, CELL, "Koordinatormidler over grensen i ordningens regler.",
       nb="Koordinatormidlene for {scheme} er {found} kr, men kan være høyst {expected} kr.",
       nn="Koordinatormidlane for {scheme} er {found} kr, men kan vere høgst {expected} kr."),
    _e("cofunding-low", E, CELL, "Eiers egenandel er lavere enn ordningens krav.",
       nb="Tiltak {n}: egenandelen er {found} kr, men {scheme} krever minst {expected} kr.",
       nn="Tiltak {n}: eigendelen er {found} kr, men {scheme} krev minst {expected} kr."),
    _e("declared-count", E, CELL, "Oppgitt antall tiltak stemmer ikke med tiltakene som er fylt ut.",
       nb="Oppgitt antall tiltak ({found}) stemmer ikke med antall utfylte tiltak ({expected}).",
       nn="Oppgitt tal på tiltak ({found}) stemmer ikkje med talet på utfylte tiltak ({expected})."),
    _e("scheme-missing", E, CELL, "Et tiltak med beløp, men uten ordning.",
       nb="Tiltak {n} har beløp ({found} kr), men mangler ordning. Velg ordning på arket «{sheet}».",
       nn="Tiltak {n} har beløp ({found} kr), men manglar ordning. Vel ordning på arket «{sheet}»."),
    _e("coordinator-as-measure", W, CELL, "Et tiltak som ser ut til å være koordinatormidler.",
       nb="Tiltak {n} «{name}» ser ut til å være koordinatormidler ({found} kr). Koordinator føres på arket «{sheet}», ikke som eget tiltak.",
       nn="Tiltak {n} «{name}» ser ut til å vere koordinatormidlar ({found} kr). Koordinator skal førast på arket «{sheet}», ikkje som eige tiltak."),
    _e("coordinator-double-counted", E, CELL, "Koordinator ført både som tiltak og som koordinatormidler: telt to ganger.",
       nb="Tiltak {n} ser ut til å være koordinator, og det er også ført opp {coordinator} kr til koordinator for {scheme}. Da er koordinatoren telt to ganger: totalsummen er {found} kr med tiltaket og {expected} kr uten.",
       nn="Tiltak {n} ser ut til å vere koordinator, og det er også ført opp {coordinator} kr til koordinator for {scheme}. Då er koordinatoren talt to gonger: totalsummen er {found} kr med tiltaket og {expected} kr utan."),
    # -- checks of the report that the workbook does not show
    _e("continuation-half-year", W, CELL, "Et halvårsanslag som er større enn helårsanslaget etter.",
       nb="{where}: anslaget for et halvår ({found} kr) er større enn for hele året etter ({expected} kr).",
       nn="{where}: anslaget for eit halvår ({found} kr) er større enn for heile året etter ({expected} kr)."),
    _e("continuation-without-duration", W, CELL, "Anslag for videreføring for et tiltak som slutter før.",
       nb="{where}: tiltaket har anslag for videreføring, men varer ikke til {period}.",
       nn="{where}: tiltaket har anslag for vidareføring, men varer ikkje til {period}."),
    _e("flag-several-owners", W, CELL, "Svaret om flere eiere stemmer ikke med eierne som er oppgitt.",
       nb="{where}: svaret er «{found}», men feltet «Eier(e)» og listen over andre eiere og UH gir {expected}.",
       nn="{where}: svaret er «{found}», men feltet «Eigar(ar)» og lista over andre eigarar og UH gir {expected}."),
    _e("flag-several-uh", W, CELL, "Svaret om flere UH stemmer ikke med UH som er oppgitt.",
       nb="{where}: svaret er «{found}», men UH-feltet og listen over andre eiere og UH gir {expected}.",
       nn="{where}: svaret er «{found}», men UH-feltet og lista over andre eigarar og UH gir {expected}."),
    _e("flag-several-schemes", W, CELL, "Svaret om flere ordninger stemmer ikke med tiltakene.",
       nb="{where}: svaret er «{found}», men tiltakene gjelder {expected}.",
       nn="{where}: svaret er «{found}», men tiltaka gjeld {expected}."),
    _e("scheme-not-declared", W, CELL, "Svaret om en ordning stemmer ikke med tiltakene i ordningen.",
       nb="{where}: svaret er «{found}», men {expected} tiltak gjelder {scheme}.",
       nn="{where}: svaret er «{found}», men {expected} tiltak gjeld {scheme}."),
    _e("priority-duplicate", E, CELL, "To tiltak med samme prioritet.",
       nb="{where}: prioritet {found} er brukt på flere tiltak ({expected}). Hvert tiltak skal ha sin egen prioritet.",
       nn="{where}: prioritet {found} er brukt på fleire tiltak ({expected}). Kvart tiltak skal ha sin eigen prioritet."),
    _e("measure-without-money", W, CELL, "Et tiltak med navn, men uten beløp.",
       nb="{where}: tiltaket har navn, men ingen beløp.",
       nn="{where}: tiltaket har namn, men ingen beløp."),
    _e("invalid-email", E, CELL, "En e-postadresse som ikke er gyldig.",
       nb="{where}: «{found}» er ikke en gyldig e-postadresse (for eksempel navn@kommune.no).",
       nn="{where}: «{found}» er ikkje ei gyldig e-postadresse (til dømes namn@kommune.no)."),
    _e("invisible-characters", W, CELL, "Usynlige tegn eller kontrolltegn i et navn.",
       nb="{where}: navnet inneholder usynlige tegn eller kontrolltegn. De er tatt bort når nettverket sammenlignes med andre.",
       nn="{where}: namnet inneheld usynlege teikn eller kontrollteikn. Dei er tekne bort når nettverket blir samanlikna med andre."),
    # -- the batch: files among the others of a consolidation
    _e("duplicate-file", W, BATCH, "Den samme filen (samme innhold) er gitt to ganger.",
       nb="Filen er helt lik «{other}» og er bare telt med én gang.",
       nn="Fila er heilt lik «{other}» og er berre talt med éin gong."),
    _e("superseded", I, BATCH, "En tidligere innsending som er erstattet av en senere.",
       nb="Erstattet av «{other}», levert {when}. Denne filen er ikke telt med.",
       nn="Erstatta av «{other}», levert {when}. Denne fila er ikkje talt med."),
    _e("supersedes", I, BATCH, "En senere innsending som erstatter en tidligere.",
       nb="Erstatter «{other}», levert {when}.",
       nn="Erstattar «{other}», levert {when}."),
    _e("order-unknown", E, BATCH, "Flere ulike innsendinger fra ett nettverk der rekkefølgen ikke kan avgjøres.",
       nb="Nettverket «{network}» har levert flere ulike behovsmeldinger for {year} med samme tidspunkt ({when}): {others}. Det går ikke an å si hvilken som er sist; denne er telt med. Bekreft med nettverket hvilken som gjelder.",
       nn="Nettverket «{network}» har levert fleire ulike behovsmeldingar for {year} med same tidspunkt ({when}): {others}. Det går ikkje an å seie kva for ei som er sist; denne er talt med. Stadfest med nettverket kva for ei som gjeld."),
    _e("resubmission-mismatch", E, BATCH, "En ny innsending med samme filnavn gjelder et annet nettverk eller år.",
       nb="Filen har samme navn som «{other}», men gjelder {found} og ikke {expected}. Sjekk med nettverket hvilken fil som gjelder.",
       nn="Fila har same namn som «{other}», men gjeld {found} og ikkje {expected}. Sjekk med nettverket kva fil som gjeld."),
    _e("network-missing", E, BATCH, "Skjemaet sier ikke hvilket nettverk det gjelder.",
       nb="Skjemaet sier ikke hvilket kompetansenettverk det gjelder (navnet er tomt). Filen er ikke tatt med; be nettverket fylle ut navnet og sende skjemaet på nytt.",
       nn="Skjemaet seier ikkje kva kompetansenettverk det gjeld (namnet er tomt). Fila er ikkje teken med; be nettverket fylle ut namnet og sende skjemaet på nytt."),
    _e("other-year", E, BATCH, "Et skjema for et annet år enn runden.",
       nb="Skjemaet gjelder {found}, men samlingen gjelder {expected}. Filen er ikke tatt med.",
       nn="Skjemaet gjeld {found}, men samlinga gjeld {expected}. Fila er ikkje teken med."),
    _e("owner-in-two-networks", W, BATCH, "En eier som er med i flere nettverk i samme ordning.",
       nb="Eieren «{owner}» er med i flere nettverk i {scheme}: {networks}. Sjekk at eieren ikke får midler to ganger.",
       nn="Eigaren «{owner}» er med i fleire nettverk i {scheme}: {networks}. Sjekk at eigaren ikkje får midlar to gonger."),
    _e("not-on-roster", W, BATCH, "En innsending fra et nettverk som ikke står i listen over nettverk.",
       nb="Nettverket «{network}» står ikke i listen over nettverk. Behovsmeldingen er tatt med; sjekk navnet her eller i listen.",
       nn="Nettverket «{network}» står ikkje i lista over nettverk. Behovsmeldinga er teken med; sjekk namnet her eller i lista."),
    _e("returned-late", W, BATCH, "En innsending som kom etter fristen.",
       nb="Levert {when}, etter fristen {deadline}.",
       nn="Levert {when}, etter fristen {deadline}."),
    _e("not-returned", W, BATCH, "Et nettverk i listen som ikke har levert.",
       nb="«{network}» har ikke levert behovsmelding.",
       nn="«{network}» har ikkje levert behovsmelding."),
    _e("skipped-lock-file", I, BATCH, "En låsefil fra Office, hoppet over.",
       nb="Dette er en låsefil som Office lager mens en arbeidsbok er åpen. Den er hoppet over.",
       nn="Dette er ei låsefil som Office lagar medan ei arbeidsbok er open. Ho er hoppa over."),
    _e("repeated-folder", I, BATCH, "En mappe som allerede er lest (gitt to ganger, eller nådd gjennom en lenke).",
       nb="Mappen er allerede lest (den er gitt to ganger eller nås gjennom en lenke). Filene i den er bare telt med én gang.",
       nn="Mappa er allereie lesen (ho er gitt to gonger eller blir nådd gjennom ei lenkje). Filene i ho er berre rekna med éin gong."),
    _e("empty-folder", I, BATCH, "En tom mappe blant det som skulle leses.",
       nb="Mappen er tom; det er ingenting å lese i den.",
       nn="Mappa er tom; det er ingenting å lese i ho."),
    _e("skipped-own-output", I, BATCH, "En fil som behovxl selv har laget, hoppet over.",
       nb="Dette er en fil som behovxl har laget ({detail}). Den er hoppet over.",
       nn="Dette er ei fil som behovxl har laga ({detail}). Ho er hoppa over."),
    # -- the forum's innstilling, read back from the regional workbook
    _e("over-frame", E, CELL, "Anbefalt beløp i en ordning er over rammen.",
       nb="{scheme}: anbefalt {found} kr er {over} kr over rammen på {expected} kr.",
       nn="{scheme}: tilrådd {found} kr er {over} kr over ramma på {expected} kr."),
    _e("above-request", E, CELL, "Anbefalt beløp er høyere enn det nettverket søkte om.",
       nb="{where}: anbefalt {found} kr er mer enn de {expected} kr nettverket har søkt om.",
       nn="{where}: tilrådd {found} kr er meir enn dei {expected} kr nettverket har søkt om."),
    _e("frame-missing", W, CELL, "Rammen for en ordning er ikke fylt ut, så innstillingen kan ikke kontrolleres mot den.",
       nb="{where}: rammen for {scheme} er ikke fylt ut. Skriv rammen i kroner, så kontrolleres innstillingen mot den.",
       nn="{where}: ramma for {scheme} er ikkje fylt ut. Skriv ramma i kroner, så blir innstillinga kontrollert mot ho."),
)

_BY_CODE = {e.code: e for e in CATALOGUE}
assert len(_BY_CODE) == len(CATALOGUE), "a code is in the catalogue twice"

#: Contact fields whose absence is an error, not a warning: the Statsforvalteren must reach someone.
CONTACT_REQUIRED = ("contacts.owner.name", "contacts.owner.email", "contacts.uh.name", "contacts.uh.email")

# ---------------------------------------------------------------- findings


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    scope: Scope
    message: str
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None
    found: Any = None
    expected: Any = None
    #: The message in Bokmål, for the Statsforvalteren's own overview; equal to `message` for a Bokmål file.
    message_nb: str = Field(default="", exclude=True, repr=False)

    @property
    def text_nb(self) -> str:
        return self.message_nb or self.message


def entry(code: str) -> Entry:
    return _BY_CODE[code]


def codes() -> list[str]:
    return [e.code for e in CATALOGUE]


def template(code: str, language: str, overrides: dict[str, Any] | None = None) -> str:
    """A code's message template in a language; a definition's `[messages]` rewording wins."""
    if overrides and code in overrides:
        return overrides[code].get(language)
    e = _BY_CODE[code]
    return e.nn if language == "nn" else e.nb


def finding(code: str, *, language: str = "nb", sheet: str | None = None, cell: str | None = None,
            path: str | None = None, found: Any = None, expected: Any = None, severity: Severity | None = None,
            overrides: dict[str, Any] | None = None, **params: Any) -> Finding:
    """A finding from the catalogue, its message filled in the file's language (and in Bokmål)."""
    values = {"sheet": sheet or "", "cell": cell or "", "found": kr(found), "expected": kr(expected), **params}
    values = {k: ("" if v is None else v) for k, v in values.items()}
    message = template(code, language, overrides).format_map(_Blank(values))
    message_nb = message if language == "nb" else template(code, "nb", overrides).format_map(_Blank(values))
    e = _BY_CODE[code]
    return Finding(code=code, severity=severity or e.severity, scope=e.scope, message=message, sheet=sheet,
                   cell=cell, path=path, found=found, expected=expected, message_nb=message_nb)


def with_message(code: str, message: str, message_nb: str, *, sheet: str | None = None, cell: str | None = None,
                 path: str | None = None, found: Any = None, expected: Any = None,
                 severity: Severity | None = None) -> Finding:
    """A finding whose message was already made (by a rule, the same text the workbook shows)."""
    e = _BY_CODE[code]
    return Finding(code=code, severity=severity or e.severity, scope=e.scope, message=message, sheet=sheet,
                   cell=cell, path=path, found=found, expected=expected, message_nb=message_nb)


def kr(value: Any) -> Any:
    """Whole numbers as Norwegians write them: 1 556 519."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}".replace(",", "\u00a0")


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(f.severity == severity for f in findings)


def sort_findings(findings: Iterable[Finding], sheets: Sequence[str] = ()) -> list[Finding]:
    """Most severe first; then in the order of the file's own sheets, then by row and column."""
    order = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[Any, ...]:
        rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}[f.severity]
        sheet = (0, -1) if not f.sheet else (1, order.get(f.sheet, len(order)))
        return (rank, sheet, f.sheet or "", _cell_key(f.cell), f.code, f.message)

    return sorted(findings, key=key)


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------- helpers


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    if not cell:
        return (0, 0, "")
    letters = "".join(c for c in cell if c.isalpha())
    digits = "".join(c for c in cell if c.isdigit()) or "0"
    return (int(digits), len(letters), letters)
