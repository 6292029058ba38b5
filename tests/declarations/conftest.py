"""Fixtures for the declarations tests: the iJw examples, a generated year, helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

EXAMPLES = Path("/work/shared/istandaarden/ijw-3.2/voorbeelden")
if not EXAMPLES.exists():  # the project's own copy location, if the shared folder moves
    EXAMPLES = Path(__file__).resolve().parents[2] / "istandaarden" / "ijw-3.2" / "voorbeelden"
INVALID_EXAMPLES = {"JW315.xml", "JW318.xml"}
NOW = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)

# Elements that hold personal data in iJw messages (client and relations). Plaatsnaam is
# left out: "Amsterdam" also occurs in "Europe/Amsterdam", which the store may well hold.
PERSONAL_ELEMENTS = {
    "Bsn", "Achternaam", "Voornamen", "Straatnaam", "Postcode",
    "Telefoonnummer", "Emailadres", "Huisnummer",
}


def personal_values(paths) -> set[str]:
    """BSNs, names, birth dates and address parts found in these XML files, read with
    lxml independently of the importer. Short values (voorletters, voorvoegsels, house
    numbers) are left out: two characters say nothing and occur anywhere."""
    values: set[str] = set()
    for path in paths:
        tree = etree.parse(str(path))
        for element in tree.iter():
            if not isinstance(element.tag, str) or element.text is None:
                continue
            local = etree.QName(element).localname
            parent = element.getparent()
            parent_local = etree.QName(parent).localname if parent is not None else ""
            if local in PERSONAL_ELEMENTS or (local == "Datum" and parent_local == "Geboortedatum"):
                text = element.text.strip()
                if len(text) >= 3:
                    values.add(text)
    return values


@pytest.fixture(scope="session")
def examples() -> Path:
    if not EXAMPLES.exists():
        pytest.skip("the iJw 3.2 example messages are not available")
    return EXAMPLES


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory):
    """A small generated year (XML and CSV) with the generator's truth."""
    from storage.declarations.demo import write_demo

    out = tmp_path_factory.mktemp("demo")
    truth = write_demo(out, messages=260, seed=11)
    return out, truth
