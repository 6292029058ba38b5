"""Stage 1: a file as regions have it → text, one paragraph, list item or table row a line.

- `.txt` (and anything else read as text): UTF-8 as it is.
- `.docx` (python-docx): paragraphs in document order, list paragraphs as "- …" (nested
  ones indented), empty paragraphs as blank lines, tables row by row with their cells
  separated by tabs (the BOSD agenda, the verdeelsleutel) — a cell's paragraphs on one
  line.
- `.pdf` (pdfplumber): each page's words with their positions. A page set in columns
  is read column by column (a gutter is an x-range no line crosses); lines that run
  across the gutter (a title, a table) are read where they stand. A wide gap between
  words on a line is a table cell boundary (a tab); a wider gap between lines than the
  page's usual one is a paragraph break (a blank line).

What cannot be read at all (not UTF-8, a damaged .docx or .pdf, a PDF without text)
raises `ImportRefused` naming the file.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from storage.importers import ImportRefused, Problem

KINDS = (".txt", ".docx", ".pdf")


def read_document(path: Path, *, source: str) -> str:
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            return _read_docx(path)
        if suffix == ".pdf":
            text = _read_pdf(path)
            if not text.strip():
                raise ImportRefused([Problem(source, None, "this PDF holds no text (a scan?); "
                                                           "it cannot be read")])
            return text
        raw = path.read_bytes()
    except ImportRefused:
        raise
    except OSError as error:
        raise ImportRefused([Problem(source, None, f"cannot read: {error.strerror or error}")]) \
            from None
    except Exception as error:  # a damaged .docx (zip) or .pdf: the libraries' own errors
        kind = "Word" if suffix == ".docx" else "PDF"
        raise ImportRefused([Problem(source, None, f"not a readable {kind} file "
                                                   f"({type(error).__name__})")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ImportRefused([Problem(source, line, f"column {column}: not UTF-8 text")]) \
            from None


# --------------------------------------------------------------------------- .docx


def _read_docx(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(_docx_paragraph(Paragraph(element, document)))
        elif tag == "tbl":
            table = Table(element, document)
            if out and out[-1]:
                out.append("")
            for row in table.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(p.text.strip() for p in cell.paragraphs
                                          if p.text.strip()))
                while cells and not cells[-1]:
                    cells.pop()
                out.append("\t".join(cells))
            out.append("")
    return "\n".join(out)


def _docx_paragraph(paragraph) -> str:
    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    properties = paragraph._p.pPr
    numbered = properties is not None and properties.numPr is not None
    if "List" in style or numbered:
        level = 0
        if numbered and properties.numPr.ilvl is not None:
            level = int(properties.numPr.ilvl.val or 0)
        elif style.rstrip().endswith(("2", "3")):
            level = 1
        if "Number" in style:
            return text  # the number is the document's own ("1. …") or none
        return ("  - " if level else "- ") + text
    return text


# --------------------------------------------------------------------------- .pdf


def _read_pdf(path: Path) -> str:
    import pdfplumber

    pages: list[str] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False)
            pages.append(_page_lines(words))
    out: list[str] = []
    for lines in pages:
        if out and lines and not _runs_on(out[-1], lines[0]):
            out.append("")
        out.extend(lines)
    return "\n".join(out)


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words → rows of words at one height, top to bottom, each left to right."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 2.5:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def _gutter(rows: list[list[dict]]) -> float | None:
    """The x of the gap between two columns, if the page has them: a gap in the middle
    half of the text width that (nearly) no row crosses, with text on both sides of it."""
    words = [w for row in rows for w in row]
    if len(rows) < 6:
        return None
    left, right = min(w["x0"] for w in words), max(w["x1"] for w in words)
    width = right - left
    best: tuple[int, float] | None = None
    for step in range(26, 75):
        x = left + width * step / 100
        crossing = sum(1 for row in rows if any(w["x0"] < x < w["x1"] for w in row))
        if best is None or crossing < best[0]:
            best = (crossing, x)
    crossing, x = best
    on_the_left = sum(1 for row in rows if any(w["x1"] <= x for w in row))
    on_the_right = sum(1 for row in rows if any(w["x0"] >= x for w in row))
    if crossing > 0.15 * len(rows) or min(on_the_left, on_the_right) < 0.2 * len(rows):
        return None
    # Centre it in the free band around x.
    lo = max((w["x1"] for w in words if w["x1"] <= x), default=x)
    hi = min((w["x0"] for w in words if w["x0"] >= x), default=x)
    return (lo + hi) / 2


def _page_lines(words: list[dict]) -> list[str]:
    rows = _rows(words)
    if not rows:
        return []
    gutter = _gutter(rows)
    if gutter is None:
        return _lines(rows)
    out: list[str] = []
    left: list[list[dict]] = []
    right: list[list[dict]] = []

    def flush() -> None:
        first = _lines(left)
        second = _lines(right)
        out.extend(first)
        if first and second and not _runs_on(first[-1], second[0]):
            out.append("")
        out.extend(second)
        left.clear()
        right.clear()

    for row in rows:
        if any(w["x0"] < gutter < w["x1"] for w in row):
            flush()  # a line across both columns: read where it stands
            if out and out[-1]:
                out.append("")
            out.extend(_lines([row]))
            out.append("")
            continue
        a = [w for w in row if w["x1"] <= gutter]
        b = [w for w in row if w["x0"] >= gutter]
        if a:
            left.append(a)
        if b:
            right.append(b)
    flush()
    return out


def _runs_on(last: str, first: str) -> bool:
    """Does the text go on from one column (or page) to the next — mid-sentence, or a
    list going on with its next item?"""
    if not last:
        return False
    if first.startswith(("- ", "• ", "o ")) and not last.endswith(":"):
        return True
    return not last.endswith((".", ":", ";", "!", "?")) and (
        first[:1].islower() or first[:1] == "(" or last.endswith((",", "-")))


def _lines(rows: list[list[dict]]) -> list[str]:
    """Rows of one column → lines; a blank line where the gap above a row is wider than
    the usual line distance, a tab where the gap between two words is a cell's."""
    if not rows:
        return []
    heights = [row[0]["bottom"] - row[0]["top"] for row in rows]
    size = statistics.median(heights) or 10
    steps = [b[0]["top"] - a[0]["top"] for a, b in zip(rows, rows[1:], strict=False)]
    # The line distance within a paragraph: the shorter steps, and never much more than
    # the type size (a page of one-line paragraphs has mostly wider steps).
    usual = sorted(steps)[len(steps) // 4] if steps else size * 1.2
    usual = min(usual, size * 1.35)
    out: list[str] = []
    cells: list[float] = []  # where the cells of the table row above start
    for index, row in enumerate(rows):
        if index and steps[index - 1] > usual * 1.3:
            out.append("")
            cells = []
        text = row[0]["text"]
        starts = [row[0]["x0"]]
        for a, b in zip(row, row[1:], strict=False):
            gap = b["x0"] - a["x1"]
            if gap > size * 1.2:
                text += "\t" + b["text"]
                starts.append(b["x0"])
            else:
                text += " " + b["text"]
        if len(starts) > 1:
            cells = starts
        elif cells and row[0]["x0"] > cells[0] + size:
            # A table row's cell wrapped: its rest stands under its own cell.
            column = max(i for i, x in enumerate(cells) if x <= row[0]["x0"] + 2)
            text = "\t" * column + text
        out.append(text)
    return out
