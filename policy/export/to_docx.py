"""Word (DOCX) option-appraisal pack, written with python-docx.

Headings use Word's own "Heading 1/2/3" styles (so the navigation pane, a table of contents and
tests can find them), tables repeat their header row across pages, and images are the PNGs the
bundle renders once. A synthetic data set is stated on the title page and in every page header.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Inches, Pt, RGBColor

from policy.export.images import ReportImage, images_as
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

__all__ = ["write_docx"]

_RED = RGBColor(0xB0, 0x00, 0x20)
_GREY = RGBColor(0x55, 0x55, 0x55)
_PAGE_WIDTH_IN = 6.5


def _t(text: object) -> str:
    return xml_safe(str(text))


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


_STYLE_IDS: dict[int, dict[tuple[object, str], str]] = {}
"""(Style type, name) -> style id, per document being written (by id of its styles part)."""


def _style_id(doc: DocxDocument, style: str, kind: WD_STYLE_TYPE) -> str:
    """The id of the paragraph or table style named ``style``, the document's styles read
    once: python-docx resolves a style name by scanning every style, twice, on each use."""
    key = id(doc.styles.element)
    if key not in _STYLE_IDS:
        _STYLE_IDS[key] = {(st.type, st.name): st.style_id for st in doc.styles}
    return _STYLE_IDS[key][(kind, style)]


def _add_styled(doc: DocxDocument, style: str, text: str = "") -> object:
    """``doc.add_paragraph(text, style=style)`` with the style id from :func:`_style_id`."""
    para = doc.add_paragraph(text)
    para._p.style = _style_id(doc, style, WD_STYLE_TYPE.PARAGRAPH)  # type: ignore[attr-defined]
    return para


def _grid_table(doc: DocxDocument, rows: int, cols: int) -> object:
    """``doc.add_table`` in the "Table Grid" style, its id from :func:`_style_id`."""
    table = doc.add_table(rows=rows, cols=cols)
    table._tbl.tblStyle_val = _style_id(doc, "Table Grid", WD_STYLE_TYPE.TABLE)  # type: ignore[attr-defined]
    return table


def _run_text(text: str) -> str:
    """Escaped run content; line breaks and tabs as python-docx's ``run.text`` writes them."""
    out = escape(_t(text))
    out = out.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return out.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')


def _cell_xml(text: str, width: str, half_points: int, right: bool) -> str:
    jc = '<w:jc w:val="right"/>' if right else ""
    return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p><w:pPr>'
            f'<w:spacing w:after="0"/>{jc}</w:pPr><w:r><w:rPr><w:b w:val="0"/>'
            f'<w:sz w:val="{half_points}"/></w:rPr><w:t xml:space="preserve">'
            f"{_run_text(text)}</w:t></w:r></w:p></w:tc>")


HEADER_FILL = "D9E2F3"


def _set_header(table: object, block: Table, size: float) -> None:
    """The header row, written as WordprocessingML and parsed in one go: the elements
    python-docx makes for a repeated header row (``w:tblHeader``) whose cells are shaded
    and hold one bold run (``run.bold``, ``run.font.size``, no space after, numbers
    right-aligned), without its schema walk for each element (about 260 header cells a
    report; tests/policy/export/test_docx_header.py compares the two)."""
    tbl = table._tbl  # type: ignore[attr-defined]
    widths = [str(w) for w in tbl.tblGrid.xpath("w:gridCol/@w:w")]
    half = int(round(size * 2))
    cells = []
    for width, col in zip(widths, block.columns, strict=True):
        jc = '<w:jc w:val="right"/>' if col.numeric else ""
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/><w:shd w:val="clear" '
            f'w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr><w:p><w:pPr>'
            f'<w:spacing w:after="0"/>{jc}</w:pPr><w:r><w:rPr><w:b/><w:sz w:val="{half}"/>'
            f'</w:rPr><w:t xml:space="preserve">{_run_text(col.header)}</w:t></w:r></w:p></w:tc>')
    row = parse_xml(f'<w:tr {nsdecls("w")}><w:trPr><w:tblHeader w:val="true"/></w:trPr>'
                    + "".join(cells) + "</w:tr>")
    tbl.replace(tbl.tr_lst[0], row)


def _add_rows(table: object, block: Table, size: float) -> None:
    """The body rows of a table, written as WordprocessingML text and parsed in one go.

    The same elements ``table.add_row()`` and ``_set_cell`` make (cell width from the grid,
    no space after, right-aligned numbers, the run's size and no bold), without python-docx's
    per-element schema walk: a report has about 2,000 cells, which that way cost most of the
    Word export.
    """
    tbl = table._tbl  # type: ignore[attr-defined]
    widths = [str(w) for w in tbl.tblGrid.xpath("w:gridCol/@w:w")]
    half = int(round(size * 2))
    rows = []
    for values in block.rows:
        cells = []
        for width, col, value in zip(widths, block.columns, values, strict=False):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append(_cell_xml(format_value(value, col.fmt), width, half,
                                   numeric or col.numeric))
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    if rows:
        parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
        for tr in list(parsed):
            tbl.append(tr)


def _table(doc: DocxDocument, block: Table) -> None:
    if block.caption:
        _add_styled(doc, "Caption", _t(block.caption))
    size = 7.5 if block.compact else 9.0
    if len(block.columns) > 9:
        size = 6.5
    table = _grid_table(doc, 1, len(block.columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fit_to_page(table)
    _set_header(table, block, size)
    _add_rows(table, block, size)
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
    para = _add_styled(doc, "List Bullet") if block.kind == "bullet" else doc.add_paragraph()
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
    # what ``doc.add_picture`` does, without its ``doc.paragraphs`` walk to centre the result
    para = doc.add_paragraph()
    para.add_run().add_picture(io.BytesIO(image.png),
                               width=Inches(min(image.width_in, _PAGE_WIDTH_IN)))
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.caption:
        _add_styled(doc, "Caption", _t(block.caption))


def _title_page(doc: DocxDocument, block: TitlePage) -> None:
    _add_styled(doc, "Title", _t(block.title))
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
    table = _grid_table(doc, 0, 2)
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
    images = images_as(bundle, "png")
    doc = Document()
    _page_setup(doc, bundle)
    for block in plain_blocks(report_blocks(bundle)):
        if isinstance(block, TitlePage):
            _title_page(doc, block)
        elif isinstance(block, Heading):
            _add_styled(doc, f"Heading {min(max(block.level, 1), 9)}", _t(block.text))
        elif isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block, images)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _STYLE_IDS.pop(id(doc.styles.element), None)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
