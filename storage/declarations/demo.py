"""Demo and scale data: a year of iJw 3.2 traffic in Midden-Holland, deterministic per seed.

Each client's trajectory is simulated: sometimes a request (315) answered by an assignment
(301) or an answer (319, "in onderzoek" first now and then), otherwise a municipal 301;
then the start (305) and stop (307) messages, and per provider, municipality and month a
declaration (323) answered by a declaration answer (325) with some lines rejected. A
fixed share of messages is late and some are missing, so every rule has cases.

Corrections come at a realistic rate, as iJw traffic has them (issue 15): a 305 or 307
re-sent under a new identificatie (a copy of a delivery already made), a 305 deleted
(StatusAanlevering 3) and sent again, a later 301 that extends or shortens an
assignment, and a 325 that rejects the whole declaration. Their dice come from a
random stream of their own, so `corrections=False` gives the traffic of the same seed
without them (the tests compare the current rules with the old ones on that).

Messages are built with lxml from scratch and validate against the bundled XSDs. They
carry made-up clients — BSNs from the 9999xxxxx test range, names from a short list —
which the importer never stores. The same messages are also written as the back-office
CSV (docs/declarations.md), which is the fast path for large volumes.

`Truth` keeps what the generator intended (on time or not, per KPI, provider and month),
so tests can check the KPI code against a count made without it.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from lxml import etree

from storage.declarations.ijw_csv import CSV_COLUMNS, PROVIDER_COLUMNS
from storage.declarations.ijw_xml import BASIS_NS, MESSAGE_NS
from storage.declarations.models import DECLARATION_REJECTED
from storage.workdays import add_working_days

# Care providers named in the partner lists of the Midden-Holland programme document
# (storage/data/midden-holland-programma-sociaal-domein-2020.txt), with made-up AGB codes.
PROVIDERS = (
    ("Enver", "73730101"),
    ("Youz", "73730202"),
    ("Curium", "73730303"),
    ("Kwintes", "73730404"),
    ("Horizon", "73730505"),
    ("Impegno", "73730606"),
    ("De Viersprong", "73730707"),
    ("ASVZ", "73730808"),
    ("Gemiva", "73730909"),
    ("Parnassia", "73731010"),
    ("FortaGroep", "73731111"),
    ("Mentaal Beter", "73731212"),
)
# The five municipalities of Midden-Holland and their CBS codes.
MUNICIPALITIES = (
    ("Gouda", "0513"),
    ("Krimpenerwaard", "1931"),
    ("Zuidplas", "1892"),
    ("Waddinxveen", "0627"),
    ("Bodegraven-Reeuwijk", "1901"),
)
PRODUCTS = (("45", "45A03", 1250), ("45", "45A04", 1500), ("55", "55A11", 2100), ("55", "55A12", 1800))
_FIRST = ("Sem", "Noah", "Emma", "Julia", "Lucas", "Mila", "Levi", "Tess", "Finn", "Sara", "Daan", "Zoë")
_LAST = ("Jansen", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Dekker")

# Measured: a trajectory averages about 3.2 messages (declarations come on top).
MESSAGES_PER_TRAJECTORY = 3.2


@dataclass(frozen=True)
class FakeClient:
    bsn: str
    birth_date: date
    gender: str
    first_name: str
    last_name: str


@dataclass
class DemoMessage:
    type: str
    sender: str
    receiver: str
    ident: str
    day: date
    client: FakeClient | None = None
    # Type-specific content, see the `_body_*` builders.
    body: dict = field(default_factory=dict)

    @property
    def municipality(self) -> str:
        return self.sender if len(self.sender) == 4 else self.receiver

    @property
    def provider(self) -> str:
        return self.receiver if len(self.sender) == 4 else self.sender


@dataclass
class Truth:
    """What the generator intended: (kpi, AGB code, "YYYY-MM" of the due date) →
    [on time, total]; and (AGB code, declared month) → [lines, rejected lines] for
    declarations that got a 325."""

    kpis: dict[tuple[str, str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    lines: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    messages: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, kpi: str, provider: str, due: date, on_time: bool) -> None:
        row = self.kpis[(kpi, provider, f"{due.year:04d}-{due.month:02d}")]
        row[1] += 1
        if on_time:
            row[0] += 1


def _month_end(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return following - timedelta(days=1)


# Shares of corrections (of the 301s, 305s, 307s and 325s they apply to).
RESENT_305 = 0.04
DELETED_AND_RESENT_305 = 0.03
RESENT_307 = 0.03
AMENDED_301 = 0.05
WHOLE_DECLARATION_REJECTED = 0.02


class _Generator:
    def __init__(self, messages: int, seed: int, year: int, keep_lines: bool, corrections: bool = True):
        self.rng = random.Random(seed)
        # Corrections draw from a stream of their own, so that the rest is the same
        # whether or not they are made.
        self.fix = random.Random(seed * 7919 + 1) if corrections else None
        self.year = year
        self.trajectories = max(1, round(messages / MESSAGES_PER_TRAJECTORY))
        count = max(2, min(len(PROVIDERS), self.trajectories // 25))
        self.providers = PROVIDERS[:count]
        self.truth = Truth()
        self.keep_lines = keep_lines
        self.counter = 0
        self.assignment_no = 100000
        self.reference_no = 0
        # (provider, municipality, month start) → line tuples (or a count).
        self.care: dict[tuple[str, str, date], list] = defaultdict(list)

    def _ident(self) -> str:
        self.counter += 1
        return str(self.counter)

    def _client(self) -> FakeClient:
        r = self.rng
        return FakeClient(
            bsn=f"9999{r.randrange(100000):05d}",
            birth_date=date(self.year - r.randint(1, 17), r.randint(1, 12), r.randint(1, 28)),
            gender=r.choice("12"),
            first_name=r.choice(_FIRST),
            last_name=r.choice(_LAST),
        )

    def _send(self, base: date, days: int, on_time: bool) -> date:
        """A send date: within `days` working days after `base`, or 1–15 past that."""
        if on_time:
            return add_working_days(base, self.rng.randint(0, days))
        return add_working_days(base, days + self.rng.randint(1, 15))

    def _chance(self, share: float) -> bool:
        return self.fix is not None and self.fix.random() < share

    def _message(self, kind: str, sender: str, receiver: str, day: date, client, **body) -> DemoMessage:
        self.truth.messages += 1
        self.truth.by_type[kind] += 1
        return DemoMessage(kind, sender, receiver, self._ident(), day, client, body)

    def run(self) -> Iterator[DemoMessage]:
        for _ in range(self.trajectories):
            yield from self._trajectory()
        yield from self._declarations()

    def _trajectory(self) -> Iterator[DemoMessage]:
        r = self.rng
        _, agb = r.choice(self.providers)
        _, gemeente = r.choice(MUNICIPALITIES)
        client = self._client()
        category, code, tariff = r.choice(PRODUCTS)
        day = date(self.year, 1, 2) + timedelta(days=r.randint(0, 300))
        reference = None
        assigned_on = day
        if r.random() < 0.5:
            self.reference_no += 1
            reference = f"REF{self.reference_no}"
            yield self._message("315", agb, gemeente, day, client, reference=reference,
                                category=category, code=code, start=day + timedelta(days=7))
            due = add_working_days(day, 5)
            outcome = r.random()
            if outcome < 0.12:  # "in onderzoek" on time, then a final answer within 8 weeks or not
                investigating = self._send(day, 5, True)
                yield self._message("319", gemeente, agb, investigating, None,
                                    reference=reference, answer="2")
                final_due = day + timedelta(days=56)
                on_time = r.random() < 0.8
                # The final answer comes after "in onderzoek": within 8 weeks or later.
                soonest = max(10, (investigating - day).days + 1)
                answer_day = day + timedelta(days=r.randint(soonest, 56) if on_time else r.randint(57, 90))
                self.truth.record("315", agb, final_due, on_time)
                if r.random() < 0.3:
                    yield self._message("319", gemeente, agb, answer_day, None, reference=reference, answer="1")
                    return
                assigned_on = answer_day
            elif outcome < 0.20:  # rejected
                on_time = r.random() < 0.8
                yield self._message("319", gemeente, agb, self._send(day, 5, on_time), None,
                                    reference=reference, answer="1")
                self.truth.record("315", agb, due, on_time)
                return
            elif outcome < 0.25:  # never answered
                self.truth.record("315", agb, due, False)
                return
            else:
                on_time = r.random() < 0.85
                assigned_on = self._send(day, 5, on_time)
                self.truth.record("315", agb, due, on_time)
        # The assignment (301).
        self.assignment_no += 1
        number = str(self.assignment_no)
        retroactive = r.random() < 0.15
        start = assigned_on - timedelta(days=r.randint(3, 20)) if retroactive else assigned_on + timedelta(days=r.randint(0, 10))
        end = min(start + timedelta(days=r.randint(60, 240)), date(self.year, 12, 31))
        if end <= start:
            end = start + timedelta(days=30)
        yield self._message("301", gemeente, agb, assigned_on, client, number=number, reference=reference,
                            category=category, code=code, assigned_on=assigned_on, start=start, end=end)
        if (end - start).days > 40 and self._chance(AMENDED_301):
            # A later 301 extends the assignment, or shortens it (from a day after the
            # amendment); from then on that end is the one care follows.
            f = self.fix
            amended_on = max(start, assigned_on) + timedelta(days=f.randint(7, (end - start).days // 2))
            year_end = date(self.year, 12, 31)
            if end < year_end and f.random() < 0.6:
                new_end = min(end + timedelta(days=f.randint(30, 120)), year_end)
            else:
                new_end = amended_on + timedelta(days=f.randint(7, max(7, (end - amended_on).days - 1)))
            if start < new_end != end:
                end = new_end
                yield self._message("301", gemeente, agb, amended_on, client, number=number,
                                    reference=reference, category=category, code=code,
                                    assigned_on=amended_on, start=start, end=end)
        # The start (305).
        if r.random() < 0.08:
            self.truth.record("305", agb, add_working_days(max(start, assigned_on), 5), False)
            return
        care_start = min(start + timedelta(days=r.randint(0, 5)), end)
        base = max(care_start, assigned_on)
        on_time = r.random() < 0.8
        start_line = dict(number=number, category=category, code=code, assignment_start=start,
                          care_start=care_start)
        sent = self._send(base, 5, on_time)
        yield self._message("305", agb, gemeente, sent, client, **start_line)
        due = add_working_days(base, 5)
        if self._chance(DELETED_AND_RESENT_305):
            # Deleted and sent again: the delivery that stands is the second.
            deleted = add_working_days(sent, self.fix.randint(1, 3))
            yield self._message("305", agb, gemeente, deleted, client, status="3", **start_line)
            sent = add_working_days(deleted, self.fix.randint(0, 2))
            yield self._message("305", agb, gemeente, sent, client, **start_line)
            on_time = sent <= due
        elif self._chance(RESENT_305):
            # The same start sent again: no new obligation.
            yield self._message("305", agb, gemeente, sent + timedelta(days=self.fix.randint(3, 20)),
                                client, **start_line)
        self.truth.record("305", agb, due, on_time)
        # The stop (307), or none (OP288).
        if r.random() < 0.08:
            self.truth.record("307", agb, add_working_days(end, 5), False)
            care_end = end
        else:
            care_end = end if r.random() < 0.75 else care_start + (end - care_start) // 2
            on_time = r.random() < 0.8
            stop_line = dict(number=number, category=category, code=code, assignment_start=start,
                             care_start=care_start, care_end=care_end)
            sent = self._send(care_end, 5, on_time)
            yield self._message("307", agb, gemeente, sent, client, **stop_line)
            if self._chance(RESENT_307):
                yield self._message("307", agb, gemeente, sent + timedelta(days=self.fix.randint(3, 20)),
                                    client, **stop_line)
            self.truth.record("307", agb, add_working_days(care_end, 5), on_time)
        # Months of care, to be declared.
        month = care_start.replace(day=1)
        while month <= care_end:
            first, last = max(month, care_start), min(_month_end(month), care_end)
            key = (agb, gemeente, month)
            if self.keep_lines:
                self.care[key].append((client.bsn, number, category, code, tariff, first, last))
            else:
                self.care[key].append(None)
            month = _month_end(month) + timedelta(days=1)

    def _declarations(self) -> Iterator[DemoMessage]:
        r = self.rng
        for (agb, gemeente, month), lines in sorted(self.care.items()):
            outcome = r.random()
            if outcome < 0.05:
                continue  # never declared: a regional-deadline finding
            deadline = _month_end(_month_end(month) + timedelta(days=1))
            if outcome < 0.9:
                day = _month_end(month) + timedelta(days=r.randint(1, 20))
            else:
                day = deadline + timedelta(days=r.randint(1, 30))
            number = f"D{self._ident()}"
            declaration = self._message("323", agb, gemeente, day, None, number=number, month=month,
                                        lines=lines, count=len(lines))
            yield declaration
            due = add_working_days(day, 10)
            if r.random() < 0.05:
                self.truth.record("325", agb, due, False)
                continue
            on_time = r.random() < 0.85
            rejected = [i for i in range(len(lines)) if r.random() < 0.06]
            whole = self._chance(WHOLE_DECLARATION_REJECTED)
            yield self._message("325", gemeente, agb, self._send(day, 10, on_time), None, number=number,
                                declaration_ident=declaration.ident, declaration_day=day,
                                lines=lines, rejected=[] if whole else rejected, whole=whole)
            self.truth.record("325", agb, due, on_time)
            counts = self.truth.lines[(agb, f"{month.year:04d}-{month.month:02d}")]
            counts[0] += len(lines)
            counts[1] += len(lines) if whole else len(rejected)


def generate(
    messages: int, *, seed: int, year: int = 2020, keep_lines: bool = True, corrections: bool = True
) -> tuple[Iterator[DemoMessage], Truth]:
    """The messages (a lazy iterator) and the truth it fills while being consumed."""
    generator = _Generator(messages, seed, year, keep_lines, corrections)
    return generator.run(), generator.truth


# --- XML -------------------------------------------------------------------------------


def _sub(parent, ns: str, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def to_xml(message: DemoMessage) -> etree._Element:
    """The message as an iJw 3.2 XML tree that validates against its XSD."""
    m = MESSAGE_NS.format(type=message.type)
    i = BASIS_NS
    root = etree.Element(f"{{{m}}}Bericht", nsmap={"ijw": i, f"jw{message.type}": m})
    header = _sub(root, m, "Header")
    _sub(header, m, "BerichtCode", _CODES[message.type])
    _sub(header, m, "BerichtVersie", "3")
    _sub(header, m, "BerichtSubversie", "2")
    _sub(header, m, "Afzender", message.sender)
    _sub(header, m, "Ontvanger", message.receiver)
    ident = _sub(header, m, "BerichtIdentificatie")
    _sub(ident, i, "Identificatie", message.ident)
    _sub(ident, i, "Dagtekening", message.day.isoformat())
    version = _sub(header, m, "XsdVersie")
    _sub(version, i, "BasisschemaXsdVersie", "1.0.0")
    _sub(version, i, "BerichtXsdVersie", "1.0.0")
    _BODIES[message.type](root, header, m, i, message)
    return root


def _client(parent, m, i, client: FakeClient, *, full_name: bool):
    element = _sub(parent, m, "Client")
    _sub(element, m, "Bsn", client.bsn)
    _sub(_sub(element, m, "Geboortedatum"), i, "Datum", client.birth_date.isoformat())
    _sub(element, m, "Geslacht", client.gender)
    name = _sub(element, m, "Naam")
    _sub(_sub(name, i, "Geslachtsnaam"), i, "Achternaam", client.last_name)
    _sub(name, i, "Voornamen", client.first_name)
    _sub(name, i, "Voorletters", client.first_name[0])
    if full_name:
        _sub(name, i, "NaamGebruik", "1")
    return element


def _product(parent, m, i, body):
    product = _sub(parent, m, "Product")
    _sub(product, i, "Categorie", body["category"])
    _sub(product, i, "Code", body["code"])


def _body_301(root, header, m, i, msg):
    b = msg.body
    client = _client(root, m, i, msg.client, full_name=True)
    contact = _sub(_sub(client, m, "Contactgegevens"), m, "Contact")
    _sub(contact, m, "Soort", "01")
    item = _sub(_sub(client, m, "ToegewezenProducten"), m, "ToegewezenProduct")
    _sub(item, m, "ToewijzingNummer", b["number"])
    if b["reference"]:
        _sub(item, m, "ReferentieAanbieder", b["reference"])
    _product(item, m, i, b)
    _sub(item, m, "Toewijzingsdatum", b["assigned_on"].isoformat())
    _sub(item, m, "Toewijzingstijd", "12:00:00")
    _sub(item, m, "Ingangsdatum", b["start"].isoformat())
    _sub(item, m, "Einddatum", b["end"].isoformat())


def _body_305(root, header, m, i, msg):
    b = msg.body
    client = _client(root, m, i, msg.client, full_name=False)
    item = _sub(_sub(client, m, "StartProducten"), m, "StartProduct")
    _sub(item, m, "ToewijzingNummer", b["number"])
    _product(item, m, i, b)
    _sub(item, m, "ToewijzingIngangsdatum", b["assignment_start"].isoformat())
    _sub(item, m, "Begindatum", b["care_start"].isoformat())
    _sub(item, m, "StatusAanlevering", b.get("status", "1"))


def _body_307(root, header, m, i, msg):
    b = msg.body
    client = _client(root, m, i, msg.client, full_name=False)
    item = _sub(_sub(client, m, "StopProducten"), m, "StopProduct")
    _sub(item, m, "ToewijzingNummer", b["number"])
    _product(item, m, i, b)
    _sub(item, m, "ToewijzingIngangsdatum", b["assignment_start"].isoformat())
    _sub(item, m, "Begindatum", b["care_start"].isoformat())
    _sub(item, m, "RedenBeeindiging", "31")
    _sub(item, m, "Einddatum", b["care_end"].isoformat())
    _sub(item, m, "StatusAanlevering", b.get("status", "1"))


def _body_315(root, header, m, i, msg):
    b = msg.body
    client = _client(root, m, i, msg.client, full_name=False)
    item = _sub(_sub(client, m, "AangevraagdeProducten"), m, "AangevraagdProduct")
    _sub(item, m, "ReferentieAanbieder", b["reference"])
    _product(item, m, i, b)
    _sub(item, m, "ToewijzingIngangsdatum", b["start"].isoformat())
    referrer = _sub(item, m, "Verwijzer")
    _sub(referrer, i, "Type", "01")
    _sub(referrer, i, "Naam", "huisarts")


def _body_319(root, header, m, i, msg):
    answer = _sub(root, m, "Antwoord")
    _sub(answer, m, "ReferentieAanbieder", msg.body["reference"])
    _sub(answer, m, "VerzoekAntwoord", msg.body["answer"])
    if msg.body["answer"] == "1":
        _sub(answer, m, "RedenAfwijzingVerzoek", "1")


def _lines_xml(parent, m, i, lines, indexes, *, rejected: bool) -> int:
    total = 0
    clients = _sub(parent, m, "Clienten")
    for n in indexes:
        bsn, number, category, code, tariff, first, last = lines[n]
        client = _sub(clients, m, "Client")
        _sub(client, m, "Bsn", bsn)
        line = _sub(_sub(client, m, "Prestaties"), m, "Prestatie")
        _sub(_sub(line, m, "ProductReferentie"), i, "ReferentieNummer", f"L{number}{first:%m%d}")
        _sub(line, m, "ToewijzingNummer", number)
        _sub(line, m, "ProductCategorie", category)
        _sub(line, m, "ProductCode", code)
        period = _sub(line, m, "ProductPeriode")
        _sub(period, i, "Begindatum", first.isoformat())
        _sub(period, i, "Einddatum", last.isoformat())
        hours = 4
        _sub(line, m, "GeleverdVolume", str(hours))
        _sub(line, m, "Eenheid", "04")
        _sub(line, m, "ProductTarief", str(tariff))
        amount = _sub(line, m, "IngediendBedrag")
        _sub(amount, i, "Bedrag", str(hours * tariff))
        _sub(amount, i, "DebetCredit", "D")
        total += hours * tariff
        if rejected:
            _sub(_sub(line, m, "RetourCodes"), m, "RetourCode", "0611")
            _sub(_sub(client, m, "RetourCodes"), m, "RetourCode", "0200")
    return total


def _total(parent, m, i, name, amount):
    element = _sub(parent, m, name)
    _sub(element, i, "TotaalBedrag", str(amount))
    _sub(element, i, "DebetCredit", "D")


def _line_amount(line) -> int:
    return 4 * line[4]


def _body_323(root, header, m, i, msg):
    b = msg.body
    declaration = _sub(root, m, "Declaratie")
    _sub(declaration, m, "DeclaratieNummer", b["number"])
    period = _sub(declaration, m, "DeclaratiePeriode")
    _sub(period, i, "Begindatum", b["month"].isoformat())
    _sub(period, i, "Einddatum", _month_end(b["month"]).isoformat())
    _sub(declaration, m, "DeclaratieDagtekening", msg.day.isoformat())
    _total(declaration, m, i, "TotaalIngediendBedrag", sum(_line_amount(x) for x in b["lines"]))
    _lines_xml(declaration, m, i, b["lines"], range(len(b["lines"])), rejected=False)


def _body_325(root, header, m, i, msg):
    b = msg.body
    ident = _sub(header, m, "DeclaratieIdentificatie")
    _sub(ident, i, "Identificatie", b["declaration_ident"])
    _sub(ident, i, "Dagtekening", b["declaration_day"].isoformat())
    version = _sub(header, m, "XsdVersieDeclaratie")
    _sub(version, i, "BasisschemaXsdVersie", "1.0.0")
    _sub(version, i, "BerichtXsdVersie", "1.0.0")
    _sub(_sub(header, m, "RetourCodes"), m, "RetourCode", "0200")
    answer = _sub(root, m, "DeclaratieAntwoord")
    _sub(answer, m, "DeclaratieNummer", b["number"])
    declared = sum(_line_amount(x) for x in b["lines"])
    refused = sum(_line_amount(b["lines"][n]) for n in b["rejected"])
    whole = b.get("whole", False)
    _total(answer, m, i, "TotaalIngediendBedrag", declared)
    _total(answer, m, i, "TotaalToegekendBedrag", 0 if whole else declared - refused)
    if b["rejected"]:
        _lines_xml(answer, m, i, b["lines"], b["rejected"], rejected=True)
    # 9333 ("Declaratienummer is niet uniek") refuses the declaration as a whole.
    _sub(_sub(answer, m, "RetourCodes"), m, "RetourCode", "9333" if whole else "0200")


_CODES = {"301": "436", "305": "438", "307": "440", "315": "446", "319": "488", "323": "490", "325": "491"}
_BODIES = {
    "301": _body_301,
    "305": _body_305,
    "307": _body_307,
    "315": _body_315,
    "319": _body_319,
    "323": _body_323,
    "325": _body_325,
}


# --- CSV -------------------------------------------------------------------------------


def csv_rows(message: DemoMessage) -> list[dict]:
    """The message as rows of the back-office CSV export (one per event; no client data)."""
    b = message.body
    base = {c: "" for c in CSV_COLUMNS}
    base.update(
        berichttype=message.type,
        afzender=message.sender,
        ontvanger=message.receiver,
        identificatie=message.ident,
        dagtekening=message.day.isoformat(),
        positie="0",
    )
    t = message.type
    if t in ("301", "305", "307", "315"):
        base.update(positie="1", productcategorie=b["category"], productcode=b["code"])
    if t == "301":
        base.update(toewijzingnummer=b["number"], referentie=b["reference"] or "",
                    zorgdatum=b["start"].isoformat(), periode_begin=b["start"].isoformat(),
                    periode_eind=b["end"].isoformat(), toewijzingsdatum=b["assigned_on"].isoformat())
    elif t == "305":
        base.update(toewijzingnummer=b["number"], zorgdatum=b["care_start"].isoformat(),
                    periode_begin=b["assignment_start"].isoformat(), status=b.get("status", "1"))
    elif t == "307":
        base.update(toewijzingnummer=b["number"], zorgdatum=b["care_end"].isoformat(),
                    periode_begin=b["care_start"].isoformat(), status=b.get("status", "1"))
    elif t == "315":
        base.update(referentie=b["reference"], periode_begin=b["start"].isoformat())
    elif t == "319":
        base.update(referentie=b["reference"], status=b["answer"])
    elif t == "323":
        base.update(declaratienummer=b["number"], periode_begin=b["month"].isoformat(),
                    periode_eind=_month_end(b["month"]).isoformat(), regels=str(b["count"]))
    elif t == "325":
        base.update(declaratienummer=b["number"], gerelateerd_identificatie=b["declaration_ident"],
                    gerelateerd_dagtekening=b["declaration_day"].isoformat(),
                    regels=str(len(b["rejected"])), afgewezen_regels=str(len(b["rejected"])),
                    status=DECLARATION_REJECTED if b.get("whole") else "")
    return [base]


# --- Writing ---------------------------------------------------------------------------


def write_demo_declarations(
    out_dir: Path,
    *,
    messages: int,
    seed: int = 2020,
    year: int = 2020,
    xml: bool = True,
    csv_export: bool = True,
    corrections: bool = True,
) -> Path:
    """Write a year of demo traffic to `out_dir`: `xml/<YYYY-MM>/JW<type>-<id>.xml`,
    `declaraties.csv` (the same messages as the back-office export) and `aanbieders.csv`
    (provider names by AGB code). Returns `out_dir`."""
    write_demo(out_dir, messages=messages, seed=seed, year=year, xml=xml, csv_export=csv_export,
               corrections=corrections)
    return Path(out_dir)


def write_demo(
    out_dir: Path,
    *,
    messages: int,
    seed: int = 2020,
    year: int = 2020,
    xml: bool = True,
    csv_export: bool = True,
    corrections: bool = True,
) -> Truth:
    """As `write_demo_declarations`, returning the generator's truth."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stream, truth = generate(messages, seed=seed, year=year, keep_lines=xml, corrections=corrections)
    with open(out_dir / "aanbieders.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROVIDER_COLUMNS)
        for name, agb in PROVIDERS:
            writer.writerow([agb, name])
    handle = open(out_dir / "declaraties.csv", "w", newline="", encoding="utf-8") if csv_export else None
    try:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS) if handle else None
        if writer:
            writer.writeheader()
        made: set[Path] = set()
        for message in stream:
            if writer:
                writer.writerows(csv_rows(message))
            if xml:
                folder = out_dir / "xml" / f"{message.day:%Y-%m}"
                if folder not in made:
                    folder.mkdir(parents=True, exist_ok=True)
                    made.add(folder)
                data = etree.tostring(to_xml(message), xml_declaration=True, encoding="UTF-8")
                (folder / f"JW{message.type}-{message.ident}.xml").write_bytes(data)
    finally:
        if handle:
            handle.close()
    return truth


__all__ = [
    "DemoMessage",
    "FakeClient",
    "MUNICIPALITIES",
    "PROVIDERS",
    "Truth",
    "csv_rows",
    "generate",
    "to_xml",
    "write_demo",
    "write_demo_declarations",
]
