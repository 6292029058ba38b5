"""A second, independent way of making renderings of the plan, so that the importer is
not built for one generator (`renderings.py`) but for the kind of case (issue 14: "it
will also be checked against a real rendering … not in this repository").

It knows nothing of programme documents: it cuts the clean text into paragraphs (text
boxes), lays them out as a PDF-to-text tool would show them, and then does to the text
what such tools do, each trait drawn per seed:

- wrap width (48–110 characters), hyphenated line ends ("samenwer-" / "king");
- spacing: single (every line break one newline, a paragraph gap a blank line), double
  (a blank line after every line, a paragraph gap two), double with uniform gaps (a
  paragraph gap one blank line too, like every line break) or tight (no blank lines at
  all, as raw text extraction gives);
- page headers and footers ("Programma Sociaal Domein … 2020", "Pagina 3 van 21", a bare
  "3", "- 3 -") every so many lines, also inside a paragraph;
- non-breaking spaces (in "€ 825.000", "32 uur"), curly quotes, soft hyphens;
- text boxes rendered twice (right after themselves, or after the next box), a box that
  starts a sheet ("1. Programma …") after the sheet's first boxes;
- a short heading glued to its repetition on one line, "-Text" bullets, "• Text" and
  "o Text" bullets, "2.Verkenning" numbering, a title over two lines.

`PDF_TOOLS` reads a PDF with other tools' own text extraction (pdfplumber's
`extract_text`, with and without its layout mode; pdfminer's), for the PDF made by
`renderings.make_pdf`.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from pathlib import Path

STYLES = ("single", "double", "uniform", "tight")

NBSP = "\u00a0"


def _sheets(text: str) -> list[list[list[str]]]:
    """The clean text → sheets of paragraphs (lists of lines). A gap of two blank lines
    or more starts a new sheet (unless the sheet so far is only its title); an HTML
    table cell is a paragraph (a text box) whose lines are its <p>s."""
    sheets: list[list[list[str]]] = [[[]]]
    blanks = 0

    def new_paragraph() -> None:
        sheet = sheets[-1]
        if not sheet[-1]:
            sheet.pop()
        if blanks >= 2 and sheet and not (len(sheet) == 1 and len(sheet[0]) == 1):
            # A wide gap below a title line: the title starts the new sheet.
            title = [sheet.pop()] if len(sheet[-1]) == 1 and len(sheet[-1][0]) <= 80 else []
            if not sheet:
                sheets.pop()
            sheets.append(title)
        sheets[-1].append([])

    for raw in text.split("\n"):
        if not raw.strip():
            blanks += 1
            continue
        if blanks:
            new_paragraph()
        blanks = 0
        if "<p" in raw or "</p>" in raw:
            for cell in raw.split("\t"):
                box = [html.unescape(re.sub(r"<[^>]*>", "", p)).strip()
                       for p in re.split(r"</p>", cell)]
                if any(box):
                    sheets[-1][-1] += [p for p in box if p]
                    sheets[-1].append([])
            continue
        if "\t" in raw:  # a table row: cells apart by wide spaces, as a layout shows
            raw = "   ".join(c.strip() for c in raw.split("\t"))
        sheets[-1][-1].append(_markup_free(raw.rstrip()))
    return [[p for p in sheet if p] for sheet in sheets if any(sheet)]


def _markup_free(line: str) -> str:
    line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
    line = re.sub(r"(?<![\w*])\*(\S[^*]*?\S)\*(?![\w*])", r"\1", line)
    return re.sub(r"^\*(?=\S)|(?<=\S)\*$", "", line)


def _is_box_heading(paragraph: list[str]) -> bool:
    """A paragraph that starts a text box: one short line ending in a colon, or a
    single word."""
    if len(paragraph) != 1:
        return False
    line = paragraph[0]
    return (re.fullmatch(r"[A-ZÀ-Ý]\w+", line) is not None
            or (line.endswith(":") and len(line.split()) <= 4))


def _boxes(sheet: list[list[str]]) -> list[list[list[str]]]:
    """A sheet's paragraphs → its text boxes: its title alone, then a box heading with
    the paragraphs up to the next one."""
    boxes: list[list[list[str]]] = []
    for index, paragraph in enumerate(sheet):
        if not boxes or index == 1 and _has_title(sheet) or _is_box_heading(paragraph):
            boxes.append([])
        boxes[-1].append(paragraph)
    return boxes


def _has_title(sheet: list[list[str]]) -> bool:
    return len(sheet[0]) == 1 and len(sheet[0][0]) <= 80 and len(sheet) > 1


def _hyphenate(word: str, room: int) -> tuple[str, str] | None:
    """A long word cut to fit `room` characters with a hyphen, or None."""
    if not re.fullmatch(r"[a-zà-ÿ]{9,}", word):
        return None
    cut = min(room - 1, len(word) - 4)
    if cut < 4:
        return None
    return word[:cut] + "-", word[cut:]


def _wrap(line: str, width: int, rng: random.Random, hyphens: bool) -> list[str]:
    indent = re.match(r"^\s*(?:[-•o]\s+|\d{1,2}\.\s*)?", line).group()
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        if not word:
            continue
        if current and len(current) + 1 + len(word) > width:
            cut = _hyphenate(word, width - len(current) - 1) if hyphens and rng.random() < 0.6 \
                else None
            if cut:
                out.append(f"{current} {cut[0]}")
                current = cut[1]
            else:
                out.append(current)
                current = word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    # A wrapped bullet's rest is indented under its text in a layout.
    pad = " " * len(indent) if indent.strip() and rng.random() < 0.5 else ""
    return [out[0], *(pad + x for x in out[1:])]


def _mark(line: str, rng: random.Random, bullet_style: str) -> str:
    """Bullets and numbering as the tool renders them."""
    nested = re.match(r"^\s+- (.*)$", line)
    if nested:
        return f"o {nested[1]}" if bullet_style != "dash" else f"  -{nested[1]}"
    top = re.match(r"^- (.*)$", line)
    if top:
        return {"dash": f"-{top[1]}", "dot": f"• {top[1]}", "plain": f"- {top[1]}"}[bullet_style]
    if rng.random() < 0.7:
        line = re.sub(r"^(\d{1,2})\. (?=[A-ZÀ-Ý])", r"\1.", line)
    return line


def _characters(line: str, rng: random.Random) -> str:
    line = re.sub(r"'([^']{1,60})'", "\u2018\\1\u2019", line)
    line = re.sub(r'"([^"]{1,60})"', "\u201c\\1\u201d", line)
    line = re.sub(r"(?<=\w)'(?=\w)", "\u2019", line)
    if rng.random() < 0.5:
        line = re.sub(r"€ (?=\d)", "€" + NBSP, line)
    line = re.sub(r"(?<=\d) (?=uur\b)", NBSP, line)
    return line


def render(text: str, *, seed: int = 1, style: str = "double") -> str:
    """The plan as a PDF-to-text tool might show it; `style` is the spacing."""
    rng = random.Random(f"{seed}-{style}")
    width = rng.choice([48, 56, 64, 80, 95, 110])
    hyphens = rng.random() < 0.7
    bullet_style = rng.choice(["dash", "dot", "plain"])
    page_lines = rng.choice([38, 45, 52])
    footer = rng.choice(["Pagina {n} van {m}", "{n}", "- {n} -", "{n} / {m}"])
    sheets = _sheets(text)
    title = " ".join(sheets[0][0])
    header = rng.choice([title, f"{title} | concept december 2019", "Sociaal Domein"])
    # The document's title over two lines.
    words = sheets[0][0][0].split()
    sheets[0][0] = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:])]

    boxes: list[list[list[str]]] = []
    for sheet in sheets:
        laid = _boxes(sheet)
        # A sheet's title box after its first boxes, for some sheets.
        if _has_title(sheet) and len(laid) > 3 and rng.random() < 0.5:
            laid.insert(rng.choice([1, 2]), laid.pop(0))
        # Text boxes twice: right after themselves, or after the next box; some once.
        index = 0
        while index < len(laid):
            box = laid[index]
            roll = rng.random()
            if roll < 0.25 and index + 1 < len(laid):
                boxes += [box, laid[index + 1], box, laid[index + 1]]
                index += 2
                continue
            boxes += [box, box] if roll < 0.75 else [box]
            index += 1

    lines: list[list[str]] = []  # wrapped paragraphs
    rendered: dict[int, list[list[str]]] = {}  # a box twice is the same text twice
    for box in boxes:
        if id(box) in rendered:
            lines += rendered[id(box)]
            continue
        rendered[id(box)] = []
        for paragraph in box:
            wrapped: list[str] = []
            for line in paragraph:
                line = _characters(_mark(line, rng, bullet_style), rng)
                # A short heading glued to itself on one line.
                if len(line) < 60 and re.search(r"(?::|projecten)$", line) \
                        and rng.random() < 0.3:
                    line = f"{line} {line}"
                wrapped += _wrap(line, width, rng, hyphens)
            rendered[id(box)].append(wrapped)
        lines += rendered[id(box)]

    # Pages: a header and a footer every `page_lines` lines, wherever that falls.
    flat: list[str | None] = []  # None: a paragraph gap
    for wrapped in lines:
        flat += [*wrapped, None]
    total = len(flat) // page_lines + 1
    paged: list[str | None] = []
    count = 0
    page = 1
    for item in flat:
        paged.append(item)
        count += 1
        if count >= page_lines and item is not None:
            paged += ["\x01" + footer.format(n=page, m=total), "\x01" + header]
            page += 1
            count = 0
    out: list[str] = []
    for item in paged:
        if item is None:
            out += {"single": [""], "double": ["", "", ""], "uniform": [], "tight": []}[style]
            continue
        if item.startswith("\x01"):
            out += [item[1:]] if style == "tight" else ["", item[1:], ""]
            continue
        out.append(item)
        if style in ("double", "uniform"):
            out.append("")
    return re.sub(r"\n{5,}", "\n\n\n\n", "\n".join(out))


# --------------------------------------------------------------------------- PDF tools


def _pdfplumber_text(path: Path, **options) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text(**options) or "" for page in pdf.pages)


def _pdfminer_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


PDF_TOOLS: dict[str, Callable[[Path], str]] = {
    "pdfplumber extract_text": _pdfplumber_text,
    "pdfplumber layout": lambda path: _pdfplumber_text(path, layout=True),
    "pdfminer extract_text": _pdfminer_text,
}
