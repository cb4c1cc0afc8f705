"""Realistic returned workbooks for the benchmarks: N different networks, the same every time.

Return number i is made from `random.Random(f"{seed}:{i}")` alone, so the first 100 returns
of a 1,000-return corpus are the 100 returns of a 100-return corpus, and a corpus grows by
generating only what is missing. Each return is written by behovxl's own writer
(`writer.workbook_bytes` with the values as typed), so it is a real form with every formula
and cached value in place: what Excel saves after a network has filled it in.

The returns: the 2026 form (behovsmelding-lokal-kompetanseutvikling), 3–8 measure sheets,
one in six in Nynorsk; every network and every owner has a name of its own; texts of a few
sentences, 1–5 owner lines and 0–4 UH lines per measure in round thousands, co-funding that
mostly meets the DEKOM rule; about one return in four has 1–3 mistakes of the kinds networks
make (amounts typed as text or in thousands, co-funding too low, the declared count off,
coordinator money missing or unused, a scheme or a required answer left out, a placeholder).

`clone` makes a further return from a generated one by renaming its network and its owners
in the XML parts (see `clone`): how the memory benchmark gets 3× the corpus without
generating it.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from behovxl.form import Form
from behovxl.generate import safe_file_name
from behovxl.layout import Layout, build_layout
from behovxl.registry import Registry
from behovxl.writer import workbook_bytes

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026
DEADLINE = "1. februar 2027"
#: Bump when the corpus itself changes; the fingerprint also covers the form's sources.
CORPUS_VERSION = 1
MISTAKE_SHARE = 0.25
NYNORSK_SHARE = 1 / 6
MAX_OWNERS = 5

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Network:
    """Who return number `index` comes from: names only, known without writing the workbook."""

    index: int
    name: str          # "Kompetansenettverk Ytre Lauvfjord"
    region: str        # "Ytre Lauvfjord"
    places: tuple[str, ...]  # the owners are "<place> kommune"

    @property
    def owners(self) -> list[str]:
        return [f"{p} kommune" for p in self.places]

    @property
    def file_name(self) -> str:
        return safe_file_name(self.name, YEAR)


def network(index: int, seed: int) -> Network:
    """The network of return number `index`: its name and its 1–5 owners, none shared with another return."""
    rng = random.Random(f"{seed}:{index}:names")
    regions, places = _name_pools(seed)
    region = regions[index % len(regions)]
    start = index * MAX_OWNERS
    count = rng.choices([1, 2, 3, 4, 5], weights=[2, 3, 4, 3, 2])[0]
    own = tuple(places[(start + k) % len(places)] for k in range(count))
    return Network(index, f"Kompetansenettverk {region}", region, own)


def return_bytes(index: int, seed: int) -> bytes:
    """The xlsx bytes of return number `index`."""
    net = network(index, seed)
    rng = random.Random(f"{seed}:{index}")
    language = "nn" if rng.random() < NYNORSK_SHARE else "nb"
    measures = rng.randint(3, 8)
    definition = Registry.default().pick(YEAR)
    form = Form(definition, YEAR, measures, language, net.name, DEADLINE)
    mistakes = rng.sample(MISTAKE_KINDS, rng.randint(1, 3)) if rng.random() < MISTAKE_SHARE else []
    raw = _Typist(rng, form, _layout(measures, language)).fill(net, mistakes)
    return workbook_bytes(form, None, raw=raw)


def build_corpus(folder: Path, n: int, seed: int, jobs: int,
                 report: Callable[[str], None] = print) -> list[Path]:
    """Returns 0..n-1 under `folder`, generating (in `jobs` processes) only those not there yet."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / network(i, seed).file_name for i in range(n)]
    missing = [i for i, p in enumerate(paths) if not p.is_file()]
    if missing:
        report(f"generating {len(missing)} returns in {folder} ({jobs} processes) ...")
        for i, data in _generated(missing, seed, jobs):
            _write_atomically(paths[i], data)
    return paths


def clone(data: bytes, net: Network, copy: int) -> tuple[str, bytes]:
    """Return `data` as if from another network: its name and every owner get " <copy>" appended.

    The names are replaced as whole words in every XML part (shared strings, sheet headers,
    document properties), all names in one pass, longest first, so that no name is renamed
    inside another. Everything else, cached values included, stays as generated.
    """
    names = sorted([net.region, *net.places], key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                body = pattern.sub(lambda m: f"{m.group(1)} {copy}", body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
    renamed = f"Kompetansenettverk {net.region} {copy}"
    return safe_file_name(renamed, YEAR), out.getvalue()


def build_clones(base: list[Path], folder: Path, seed: int, copies: int) -> list[Path]:
    """`copies` renamed copies of each base return, under `folder`; those already there are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for copy in range(2, copies + 2):
        for i, path in enumerate(base):
            net = network(i, seed)
            target = folder / safe_file_name(f"Kompetansenettverk {net.region} {copy}", YEAR)
            if not target.is_file():
                _write_atomically(target, clone(path.read_bytes(), net, copy)[1])
            out.append(target)
    return out


def write_roster(path: Path, count: int, seed: int) -> Path:
    """A roster CSV with `count` networks (the corpus's first ones), contacts and målform filled in."""
    rows = ["network,owners,uh,owner_contact,owner_role,owner_email,uh_contact,uh_role,uh_email,language"]
    for i in range(count):
        net = network(i, seed)
        rng = random.Random(f"{seed}:{i}:roster")
        owner, uh = _person(rng), _person(rng)
        slug = _slug(net.places[0])
        uh_name, uh_domain = rng.choice(_UH)
        rows.append(",".join(_csv(v) for v in (
            net.name, ", ".join(net.owners), uh_name, owner, rng.choice(_OWNER_ROLES),
            f"{_slug(owner)}@{slug}.kommune.no", uh, rng.choice(_UH_ROLES), f"{_slug(uh)}@{uh_domain}",
            "nynorsk" if rng.random() < NYNORSK_SHARE else "bokmål")))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def fingerprint() -> str:
    """Changes whenever the corpus would come out differently: this module, the form definitions and
    the modules that place and write the form's cells."""
    digest = hashlib.sha256(str(CORPUS_VERSION).encode())
    sources = [Path(__file__), *sorted((ROOT / "templates").glob("*.toml"))]
    sources += [ROOT / "behovxl" / m for m in ("layout.py", "formulas.py", "rules.py", "expr.py", "writer.py",
                                              "definition.py")]
    for source in sources:
        if source.is_file():
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


# ---------------------------------------------------------------- generating in parallel


def _generated(indices: list[int], seed: int, jobs: int) -> Iterator[tuple[int, bytes]]:
    if jobs <= 1:
        for i in indices:
            yield i, return_bytes(i, seed)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(jobs) as pool:
        yield from pool.imap_unordered(_one, [(i, seed) for i in indices], chunksize=4)


def _one(task: tuple[int, int]) -> tuple[int, bytes]:
    index, seed = task
    return index, return_bytes(index, seed)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- names and texts

_QUALIFIERS = ("", "Indre ", "Ytre ", "Nord-", "Sør-", "Øst-", "Vest-", "Øvre ", "Nedre ", "Midt-")
_FIRSTS = (
    "Bjørn", "Lauv", "Sand", "Stor", "Lang", "Fjell", "Skog", "Myr", "Ros", "Kvit", "Svart", "Grøn", "Hav",
    "Lyng", "Furu", "Bjørke", "Eike", "Hasle", "Rogn", "Mo", "Elve", "Berg", "Strand", "Dals", "Ås", "Sol",
    "Vinter", "Sommar", "Haug", "Krok", "Lia", "Reins", "Ulv", "Rev", "Hjort", "Elg", "Laks", "Sild", "Torsk",
    "Kobbe", "Ørn", "Ravn", "Kråke", "Trost", "Fiske", "Bonde", "Prest", "Kongs", "Dronning", "Steins", "Jern",
    "Kopar", "Sølv", "Gull", "Salt", "Tjære", "Kalk", "Leir", "Grus", "Is",
)
_STEMS = (
    "vik", "dal", "fjord", "øy", "nes", "berg", "heim", "stad", "land", "sund", "våg", "bygd", "mo", "ås",
    "haug", "li", "rud", "set", "vang", "voll", "eid", "strand", "havn", "elv",
)
_UH = (
    ("Nord universitet", "nord.no"), ("UiT Norges arktiske universitet", "uit.no"),
    ("Universitetet i Innlandet", "inn.no"), ("Høgskulen på Vestlandet", "hvl.no"),
    ("OsloMet – storbyuniversitetet", "oslomet.no"), ("NTNU", "ntnu.no"), ("Universitetet i Agder", "uia.no"),
)
_GIVEN = ("Kari", "Ola", "Ingrid", "Per Arne", "Marit", "Jonas", "Sigrid", "Håkon", "Torunn", "Eirik", "Camilla",
          "Trond", "Hanne", "Knut", "Åse", "Øystein", "Linn", "Geir", "Randi", "Bjørg")
_FAMILY = ("Nordmann", "Helgesen", "Eliassen", "Hoff", "Dahl", "Berntsen", "Strøm", "Lie", "Eide", "Solheim",
           "Brattli", "Åsheim", "Mortensen", "Aasland", "Nygård", "Karlsen", "Johansen", "Pedersen", "Hansen")
_OWNER_ROLES = ("Kommunalsjef oppvekst", "Oppvekstsjef", "Rådgiver skole", "Barnehagefaglig rådgiver",
                "Leder for kompetansenettverket")
_UH_ROLES = ("Utviklingspartner", "Førsteamanuensis", "Universitetslektor", "Prosjektleder", "Dosent")

_MEASURE_NAMES = (
    "Lesing og skriving i alle fag", "Språkløyper i barnehagen", "Inkluderende praksis i skolen",
    "Læringsmiljø og mobbing", "Matematikk på mellomtrinnet", "Profesjonsfellesskap i barnehagen",
    "Vurdering for læring", "Tidlig innsats 1.–4. trinn", "Skolefravær og tilhørighet", "Digital dømmekraft",
    "Spesialpedagogikk og tilpasset opplæring", "Lek og læring i barnehagen", "Praktisk og variert undervisning",
    "Overgangen fra barnehage til skole", "Ledelse av utviklingsarbeid", "Flerspråklige barn i barnehagen",
)
_SENTENCES = (
    "Rektorene har meldt behovet gjennom rektormøtene i hver kommune.",
    "Hver skole har et ressursteam som leder arbeidet på egen skole sammen med rektor.",
    "Universitetet deltar i planleggingsgruppen og møter ressursteamene på skolebesøk.",
    "Skolebasert kompetanseutvikling der hele personalet arbeider med felles tema mellom samlingene.",
    "Ressursteamene leder profesjonsfellesskapet og deler erfaringer i et nettverk på tvers av kommunene.",
    "Styrerne har drøftet behovet i styrermøtet, og de private barnehagene er med fra starten.",
    "Arbeidet bygger på kartleggingen av læringsmiljøet som ble gjort i fjor høst.",
    "Utviklingspartnerne bruker erfaringene i undervisningen på grunnskolelærerutdanningen.",
    "Studentene får mulighet til praksisnære bachelor- og masteroppgaver i samarbeid med kommunene.",
    "Tiltaket følger opp den langsiktige planens prioritering av grunnleggende ferdigheter.",
    "PP-tjenesten deltar i alle samlingene og følger opp barnehagene mellom samlingene.",
    "Tillitsvalgte har vært med i planleggingen, og tiltaket er drøftet i samarbeidsutvalget.",
    "Det settes av tid i fellestiden hver uke til arbeid med tiltaket.",
    "Erfaringene fra piloten i to skoler viser at arbeidet må forankres bedre hos ledelsen.",
)
_LINE_TEXTS = (
    "Frikjøp av ressursteam, 4 timer i uka på hver skole", "Fire felles samlinger: lokaler, reise og bevertning",
    "Faglige innlegg på samlingene", "Skolebesøk og veiledning", "Vikarutgifter for deltakerne",
    "Reise for deltakerne fra distriktsskolene", "Kurs for styrerne", "Nettverksmøter for ressurspersoner",
    "Materiell og litteratur", "Refleksjonsverksted i barnehagene",
)
_TEXT_AMOUNTS = ("120 000,-", "60 tusen", "1,5 mill.", "330.000", "kr 45 000", "se vedlegg")
_PLACEHOLDER = "Klikk eller trykk her for å skrive inn tekst."
MISTAKE_KINDS = ("text_number", "thousands", "coordinator_missing", "coordinator_unused", "cofunding", "declared",
                 "scheme_missing", "required", "placeholder", "email")


@cache
def _name_pools(seed: int) -> tuple[list[str], list[str]]:
    """Two shuffled lists of unique place names: one for the networks' regions, one for owners."""
    names = [q + f + s for q, f, s in itertools.product(_QUALIFIERS, _FIRSTS, _STEMS)]
    regions, places = list(names), list(names)
    random.Random(f"{seed}:regions").shuffle(regions)
    random.Random(f"{seed}:places").shuffle(places)
    return regions, places


@cache
def _layout(measures: int, language: str) -> Layout:
    # Input paths depend on the number of measure sheets only; the network is not part of them.
    return build_layout(Form(Registry.default().pick(YEAR), YEAR, measures, language, "x"))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": ".", "-": ""})
    return re.sub(r"[^a-z.]", "", text.lower().translate(table))


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def _text(rng: random.Random, low: int = 1, high: int = 4) -> str:
    return " ".join(rng.sample(_SENTENCES, rng.randint(low, high)))


class _Typist:
    """What a network types into its form: every answer, the amounts, and the mistakes asked for."""

    def __init__(self, rng: random.Random, form: Form, layout: Layout) -> None:
        self.rng, self.form, self.layout, self.d = rng, form, layout, form.definition
        self.yes, self.no = (form.t(c.label) for c in self.d.lists["yes_no"])
        self.purposes = [form.t(c.label) for c in self.d.lists["purposes"]]
        self.raw: dict[str, Any] = {}

    def put(self, path: str, value: Any) -> None:
        if path in self.layout.inputs:
            self.raw[path] = value

    def fill(self, net: Network, mistakes: list[str]) -> dict[str, Any]:
        self._partnership(net)
        asked: set[str] = set()
        used: set[str] = set()
        for n in range(1, self.form.measures + 1):
            scheme, needs = self._measure(n)
            used.add(scheme)
            if needs:
                asked.add(scheme)
        for key in asked:
            self.put(f"coordinator.{key}.amount", self.rng.randrange(50_000, 250_000, 5_000))
            self.put(f"coordinator.{key}.duties", _text(self.rng, 1, 2))
        for s in self.d.schemes:
            self.put(f"partnership.schemes.{s.key}", self.yes if s.key in used else self.no)
        self.put("partnership.several_schemes", self.yes if len(used) > 1 else self.no)
        self.put("declared_measures", self.form.measures)
        for kind in mistakes:
            self._mistake(kind)
        return self.raw

    def _partnership(self, net: Network) -> None:
        r = self.rng
        uh, domain = r.choice(_UH)
        self.put("partnership.network", net.name)
        self.put("partnership.owners", ", ".join(net.owners))
        self.put("partnership.uh", uh)
        self.put("partnership.several_owners", self.yes if len(net.places) > 1 else self.no)
        self.put("partnership.several_uh", self.no)
        for side, org in (("owner", f"{_slug(net.places[0])}.kommune.no"), ("uh", domain)):
            person = _person(r)
            self.put(f"contacts.{side}.name", person)
            self.put(f"contacts.{side}.role", r.choice(_OWNER_ROLES if side == "owner" else _UH_ROLES))
            self.put(f"contacts.{side}.email", f"{_slug(person)}@{org}")
        self.put("contacts.owner.invoice_marking", net.name)
        for i, place in enumerate(net.places[1:], 1):
            self.put(f"partners.{i}.name", f"{place} kommune")
            self.put(f"partners.{i}.contact", _person(r))
            self.put(f"partners.{i}.kind", self.form.t(self.d.lists["partner_kinds"][0].label))
        self.put("continuation.continues", r.choice([self.yes, self.no]))
        self.put("codetermination.discussed", self.yes)
        self.put("codetermination.participants.1.role", "Hovedtillitsvalgt Utdanningsforbundet")
        self.put("codetermination.participants.1.name", _person(r))
        for unit in ("municipal_kindergartens", "private_kindergartens", "public_schools", "private_schools",
                     "pp_services"):
            self.put(f"units.{unit}", r.randint(0, 40))
        self.put("background", _text(r, 2, 5))

    def _measure(self, n: int) -> tuple[str, bool]:
        r, p = self.rng, f"measures.{n}."
        scheme = r.choice(self.d.schemes)
        needs = r.random() < 0.4
        for key, value in (("name", r.choice(_MEASURE_NAMES)), ("priority", n), ("scheme", self.form.t(scheme.label)),
                           ("purpose", r.choice(self.purposes[:3])), ("target_group", _text(r, 1, 2)),
                           ("anchoring", _text(r)), ("collective_processes", _text(r)),
                           ("teacher_education", _text(r, 1, 3)), ("long_term_plan", _text(r, 1, 2)),
                           ("owner_plan", _text(r, 1, 2)), ("uh_plan", _text(r, 1, 2)),
                           ("needs_coordinator", self.yes if needs else self.no),
                           ("duration.spring_y", self.yes), ("duration.autumn_y", self.yes),
                           ("duration.spring_y1", r.choice([self.yes, self.no]))):
            self.put(p + key, value)
        if needs:
            self.put(p + "coordinator_reason", "Flere kommuner skal følge samme plan og samlingsrekke.")
        owner = [r.randrange(20_000, 600_000, 5_000) for _ in range(r.randint(1, 5))]
        uh = [r.randrange(20_000, 600_000, 5_000) for _ in range(r.randint(0, 4))]
        for side, amounts in (("owner", owner), ("uh", uh)):
            for i, amount in enumerate(amounts, 1):
                self.put(f"{p}{side}_lines.{i}.amount", amount)
                self.put(f"{p}{side}_lines.{i}.description", r.choice(_LINE_TEXTS))
        share = float(scheme.cofunding.share) if scheme.cofunding else 0.0
        self.put(p + "cofunding", round(share * (sum(owner) + sum(uh)) / 1000 + 0.5) * 1000
                 + r.randrange(0, 100_000, 5_000))
        if self.raw.get(p + "duration.spring_y1") == self.yes and r.random() < 0.6:
            self.put(p + "continuation.1.owner", r.randrange(20_000, 200_000, 5_000))
            self.put(p + "continuation.1.owner_reason", "Halvt år")
            self.put(p + "continuation.2.owner", r.randrange(200_000, 500_000, 5_000))
            self.put(p + "continuation.2.uh", r.randrange(50_000, 300_000, 5_000))
        return scheme.key, needs

    def _mistake(self, kind: str) -> None:
        r = self.rng
        p = f"measures.{r.randint(1, self.form.measures)}."
        if kind == "text_number":
            self.put(p + "owner_lines.1.amount", r.choice(_TEXT_AMOUNTS))
        elif kind == "thousands":
            self.put(r.choice([p + "owner_lines.1.amount", p + "continuation.1.owner"]), r.choice([165, 330, 60]))
        elif kind == "coordinator_missing":
            for key in self.d.coordinator_keys():
                self.raw.pop(f"coordinator.{key}.amount", None)
            self.put(p + "needs_coordinator", self.yes)
        elif kind == "coordinator_unused":
            self.put(f"coordinator.{r.choice(self.d.coordinator_keys())}.amount", 80_000)
        elif kind == "cofunding":
            self.put(p + "cofunding", 1000)
        elif kind == "declared":
            self.put("declared_measures", r.choice([self.form.measures + 1, str(self.form.measures)]))
        elif kind == "scheme_missing":
            self.raw.pop(p + "scheme", None)
        elif kind == "required":
            self.raw.pop(r.choice([p + "priority", p + "target_group", "contacts.owner.name", "partnership.uh"]), None)
        elif kind == "placeholder":
            self.put(r.choice([p + "anchoring", "partnership.uh"]), _PLACEHOLDER)
        elif kind == "email":
            self.put("contacts.owner.email", self.raw.get("contacts.owner.email", "").replace("@", " på "))

