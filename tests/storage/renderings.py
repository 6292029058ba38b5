"""The bundled programme document as other tools render it, made here from the clean text.

`pdf_text_rendering` does what PDF-to-text renderings of such plans do (issue 14): double
spacing, every text box twice and a sheet's title box after its first boxes, headings
glued to their repetition, "-Text" bullets, "2.Verkenning" numbering, the document's
title and programme titles over two lines, lines wrapped mid-sentence, page headers and
numbers. `sheets` splits the clean text into what the .docx and .pdf makers lay out.
"""

from __future__ import annotations

import html
import random
import re

TITLE_RE = re.compile(r"^(?:\d{1,2}\.\s*(?:Programma|Project:)\s+\S.*|Programma Inzicht in kosten"
                      r"|Rechtmatigheid en kwaliteit)$")
HEADING_RE = re.compile(
    r"^(?:Opdrachtgever|Projectteam|Programmateam|Externe partners|Ambitie|Doelen|"
    r"Afhankelijkheden|Financiën|Achtergrond|Deelprojecten|Mijlpalen|Welke opdracht|"
    r"Bijlage|Stuurgroep)\b"
)


def plain_lines(text: str) -> list[str]:
    """The clean text with its HTML table rows as plain lines: one line per <p>, a blank
    line between cells (what any rendering of those text boxes shows)."""
    out: list[str] = []
    for line in text.split("\n"):
        if "<p" not in line:
            out.append(line)
            continue
        for cell in line.split("\t"):
            paragraphs = [html.unescape(re.sub(r"<[^>]*>", "", p)).strip()
                          for p in re.split(r"</p>", cell)]
            paragraphs = [p for p in paragraphs if p]
            if paragraphs:
                out += [*paragraphs, ""]
    return out


def _boxes(lines: list[str]) -> list[list[str]]:
    """A sheet's lines → its boxes: a heading with what follows it up to the next one."""
    boxes: list[list[str]] = [[]]
    for line in lines:
        if HEADING_RE.match(line) and boxes[-1]:
            boxes.append([])
        boxes[-1].append(line)
    return [b for b in boxes if any(x.strip() for x in b)]


def sheets(text: str) -> list[list[str]]:
    """The document's lines cut at each programme title: [preamble, sheet, sheet, …]."""
    out: list[list[str]] = [[]]
    for line in plain_lines(text):
        if TITLE_RE.match(line) and (not out[-1] or not any(
                line == x for s in out for x in s)):
            out.append([])
        out[-1].append(line)
    return out


def _wrap(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    out, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*out, current]


def pdf_text_rendering(text: str, *, seed: int = 14, width: int = 72,
                       uniform_gaps: bool = False) -> str:
    """Every trait of issue 14 at once. With `uniform_gaps` a paragraph gap is one blank
    line too, like every line break."""
    rng = random.Random(seed)
    out: list[str] = []
    parts = sheets(text)
    preamble = parts[0]
    title = next(i for i, line in enumerate(preamble) if line.strip())
    preamble[title:title + 1] = ["Dynamisch Programma Sociaal Domein", "",
                                 "Midden Holland 2020"]
    out += preamble
    for sheet in parts[1:]:
        heading, body = sheet[0], sheet[1:]
        m = re.match(r"^(\d{1,2}\.\s*Programma)\s+(.*)$", heading)
        title_box = [m[1], "", m[2], ""] if m else [heading, ""]
        boxes = _boxes(body)
        # The title box of a sheet titled "N. Programma …" or "Programma …" after the
        # sheet's first boxes (opdrachtgever, projectteam).
        top = 0
        if re.match(r"^(?:\d{1,2}\.\s*)?Programma\s", heading) and len(boxes) > 3:
            while top < 2 and re.match(r"^(?:Opdrachtgever|Projectteam)", boxes[top][0]):
                top += 1
        ordered = [*boxes[:top], title_box, *boxes[top:]]
        # Every text box twice: right after itself, or after the next box.
        index = 0
        while index < len(ordered):
            box = ordered[index]
            if index + 1 < len(ordered) and rng.random() < 0.4:
                following = ordered[index + 1]
                out += box + following + box + following
                index += 2
            else:
                out += box + box
                index += 1
    rendered: list[str] = []
    for n, line in enumerate(out):
        # "X: projecten" glued to itself on one line.
        if re.search(r"(?::|/) projecten$", line):
            line = f"{line} {line}"
        line = re.sub(r"^- (?=[A-ZÀ-Ý])", "-", line)
        line = re.sub(r"^\s+- ", "o ", line)  # a nested bullet loses its indent
        line = re.sub(r"(?:(?<=^)|(?<=\s))(\d{1,2})\. (?=[A-ZÀ-Ý])", r"\1.", line)
        line = line.replace("\t", "    ")
        rendered += _wrap(line, width) if line else [""]
        if n and n % 120 == 0:
            rendered += ["", "Dynamisch Programma Sociaal Domein Midden Holland 2020",
                         "", f"- {n // 120 + 1} -", ""]
    # Double spacing: every line followed by a blank line; a paragraph gap wider.
    gap = "\n\n" if uniform_gaps else "\n\n\n\n"
    body = "\n".join(rendered)
    body = re.sub(r"\n{2,}", "\x00", body)
    return "\n\n".join(body.split("\n")).replace("\x00", gap)


# --------------------------------------------------------------------------- .docx, .pdf


def _markup_free(line: str) -> str:
    """Markdown emphasis is typography in a Word file or a PDF, not text."""
    line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
    line = re.sub(r"(?<![\w*])\*(\S[^*]*?\S)\*(?![\w*])", r"\1", line)
    return re.sub(r"^\*(?=\S)|(?<=\S)\*$", "", line)


def _chunks(text: str):
    """The clean text as ("table", rows) and ("line", text) pieces in order."""
    rows: list[list[str]] = []
    for line in plain_lines(text):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            yield "table", rows
            rows = []
        yield "line", line
    if rows:
        yield "table", rows


def make_docx(text: str, path) -> None:
    """The plan as a Word file: paragraphs, bulleted lists (nested ones a level deeper),
    programme titles as headings, the BOSD agenda and the verdeelsleutel as tables."""
    import docx

    document = docx.Document()
    for kind, piece in _chunks(text):
        if kind == "table":
            width = max(len(r) for r in piece)
            table = document.add_table(rows=0, cols=width)
            for row in piece:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = value
            continue
        line = _markup_free(piece)
        bullet = re.match(r"^(\s*)- (.*)$", line)
        if bullet:
            document.add_paragraph(bullet[2], style="List Bullet 2" if bullet[1] else "List Bullet")
        elif TITLE_RE.match(line):
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    document.save(str(path))


def _font() -> str:
    """A TrueType font with the document's characters (ë, é, €, đ …)."""
    from pathlib import Path

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                  Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"]
    font = next(p for p in candidates if p.exists())
    pdfmetrics.registerFont(TTFont("Body", str(font)))
    return "Body"


def make_pdf(text: str, path, *, columns: int = 2) -> None:
    """The plan as a PDF set in two columns (the appendix with its tables in one), or in
    one (`columns=1`), made with reportlab: wrapped lines, spacing between paragraphs, no
    text layer tricks."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    nested = ParagraphStyle("nested", parent=body, leftIndent=10)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    width, height = A4
    margin, gap = 40, 24
    column = (width - 2 * margin - gap) / 2
    doc = BaseDocTemplate(str(path), pagesize=A4)
    two = [Frame(margin, margin, column, height - 2 * margin, id="left"),
           Frame(margin + column + gap, margin, column, height - 2 * margin, id="right")]
    one = [Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="page")]
    templates = [PageTemplate("two", frames=two), PageTemplate("one", frames=one)]
    doc.addPageTemplates(templates if columns == 2 else templates[::-1])
    story: list = []
    for kind, piece in _chunks(text):
        if kind == "table":
            widths = [22, 70, 255, 110, 58] if len(piece[0]) >= 4 else [120, 70, 70]
            rows = [[Paragraph(escape(c), cell) for c in row] + [""] * (len(widths) - len(row))
                    for row in piece]
            table = Table(rows, colWidths=widths[: max(len(r) for r in rows)])
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 10)]
            continue
        line = _markup_free(piece)
        if line.startswith("Bijlage 1"):
            story += [NextPageTemplate("one"), PageBreak()]
        if not line.strip():
            story.append(Spacer(1, 8))
            continue
        bullet = re.match(r"^(\s*)- (.*)$", line)
        if bullet and bullet[1]:
            story.append(Paragraph("o " + escape(bullet[2]), nested))
        else:
            story.append(Paragraph(escape(line), body))
    doc.build(story)
