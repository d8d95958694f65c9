"""Word (DOCX) option-appraisal pack, written with python-docx.

Headings use Word's own "Heading 1/2/3" styles (so the navigation pane, a table of contents and
tests can find them), tables repeat their header row across pages, and images are the PNGs the
bundle renders once. A synthetic data set is stated on the title page and in every page header.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from policy.export.plain import plain_blocks
from policy.export.report import (
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    TitlePage,
    format_value,
    report_blocks,
)
from policy.export.safety import xml_safe

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from policy.export.bundle import ReportBundle
    from policy.export.images import ReportImage

__all__ = ["write_docx"]

_RED = RGBColor(0xB0, 0x00, 0x20)
_GREY = RGBColor(0x55, 0x55, 0x55)
_PAGE_WIDTH_IN = 6.5


def _t(text: object) -> str:
    return xml_safe(str(text))


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell: object, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _set_cell(cell: object, text: str, size: float, bold: bool = False,
              right: bool = False) -> None:
    para = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = para.add_run(_t(text))
    run.font.size = Pt(size)
    run.bold = bold
    para.paragraph_format.space_after = Pt(0)
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _fit_to_page(table: object) -> None:
    """Make a table exactly the text width (100%) with auto-fitted columns, so wide tables
    wrap their cells instead of running off the page."""
    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    width = OxmlElement("w:tblW")
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "autofit")
    tbl_pr.append(layout)


def _table(doc: DocxDocument, block: Table) -> None:
    if block.caption:
        doc.add_paragraph(_t(block.caption), style="Caption")
    size = 7.5 if block.compact else 9.0
    if len(block.columns) > 9:
        size = 6.5
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fit_to_page(table)
    header = table.rows[0]
    _repeat_header(header)
    for cell, col in zip(header.cells, block.columns, strict=True):
        _set_cell(cell, col.header, size, bold=True, right=col.numeric)
        _shade(cell, "D9E2F3")
    for values in block.rows:
        cells = table.add_row().cells
        for cell, col, value in zip(cells, block.columns, values, strict=False):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            _set_cell(cell, format_value(value, col.fmt), size, right=numeric or col.numeric)
    if block.note:
        _note(doc, block.note)
    doc.add_paragraph()


def _note(doc: DocxDocument, text: str) -> None:
    para = doc.add_paragraph()
    run = para.add_run(_t(text))
    run.italic = True
    run.font.color.rgb = _GREY
    run.font.size = Pt(9)


def _paragraph(doc: DocxDocument, block: Paragraph) -> None:
    style = "List Bullet" if block.kind == "bullet" else None
    para = doc.add_paragraph(style=style)
    if block.label:
        lead = para.add_run(_t(block.label))
        lead.bold = True
    run = para.add_run(_t(block.text))
    if block.kind == "note":
        run.italic = True
        run.font.color.rgb = _GREY
    elif block.kind == "warning":
        run.bold = True
        run.font.color.rgb = _RED


def _figure(doc: DocxDocument, block: Figure, images: dict[str, ReportImage]) -> None:
    image = images.get(block.key)
    if image is None:
        return
    doc.add_picture(io.BytesIO(image.png), width=Inches(min(image.width_in, _PAGE_WIDTH_IN)))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.caption:
        doc.add_paragraph(_t(block.caption), style="Caption")


def _title_page(doc: DocxDocument, block: TitlePage) -> None:
    doc.add_heading(_t(block.title), level=0)
    sub = doc.add_paragraph()
    run = sub.add_run("Option appraisal pack: local industrial strategy for advanced manufacturing")
    run.font.size = Pt(13)
    run.font.color.rgb = _GREY
    if block.synthetic_statement:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(12)
        para.paragraph_format.space_after = Pt(12)
        run = para.add_run(_t(block.synthetic_statement))
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = _RED
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in block.lines:
        cells = table.add_row().cells
        _set_cell(cells[0], label, 11, bold=True)
        _set_cell(cells[1], value, 11)
    if block.notes:
        doc.add_paragraph()
        para = doc.add_paragraph()
        para.add_run("Session notes: ").bold = True
        para.add_run(_t(block.notes))


def _page_setup(doc: DocxDocument, bundle: ReportBundle) -> None:
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        header = section.header.paragraphs[0]
        text = f"{bundle.title} - {bundle.area_label}, {bundle.period_label}"
        if bundle.synthetic:
            run = header.add_run("SYNTHETIC DEMO DATA - fictional figures, not statistics. ")
            run.bold = True
            run.font.color.rgb = _RED
            run.font.size = Pt(8)
        run = header.add_run(_t(text))
        run.font.size = Pt(8)
    props = doc.core_properties
    props.title = _t(bundle.title)[:250]
    props.subject = _t(f"{bundle.area_label}, {bundle.period_label}")[:250]
    props.author = "policymix"
    props.keywords = "synthetic demo data" if bundle.synthetic else ""
    props.comments = _t(bundle.source_label)[:250]


def write_docx(bundle: ReportBundle, path: str | Path) -> Path:
    """Write the Word report for ``bundle`` to ``path``; returns the path."""
    path = Path(path)
    images = bundle.images()
    doc = Document()
    _page_setup(doc, bundle)
    for block in plain_blocks(report_blocks(bundle)):
        if isinstance(block, TitlePage):
            _title_page(doc, block)
        elif isinstance(block, Heading):
            doc.add_heading(_t(block.text), level=min(max(block.level, 1), 9))
        elif isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block, images)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
