"""The Word tables' header row, written as WordprocessingML in one parse
(``policy.export.to_docx``), is the XML python-docx's own API makes for it."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from policy.export import to_docx
from policy.export.report import Column, Table

BLOCK = Table(columns=[Column("Option <A> & co"), Column("NPV, GBP m", ",.1f"),
                       Column("tab\there")], rows=[["x", 1.0, "y"]])


def _through_the_api(doc, block: Table, size: float):
    """The header as it was written before: python-docx calls, cell by cell."""
    table = to_docx._grid_table(doc, 1, len(block.columns))
    row = table.rows[0]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)
    for cell, col in zip(row.cells, block.columns, strict=True):
        para = cell.paragraphs[0]
        run = para.add_run(col.header)
        run.font.size = Pt(size)
        run.bold = True
        para.paragraph_format.space_after = Pt(0)
        if col.numeric:
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), to_docx.HEADER_FILL)
        cell._tc.get_or_add_tcPr().append(shd)
    return table._tbl.tr_lst[0]


def _canonical(element) -> str:
    """C14N text without ``xml:space="preserve"``, which python-docx writes only on text with
    outer spaces and the one-parse writer (like its body rows) on every run: the same text."""
    return etree.tostring(element, method="c14n").decode().replace(' xml:space="preserve"', "")


def test_header_row_is_what_python_docx_writes() -> None:
    doc = Document()
    expected = _through_the_api(doc, BLOCK, 9.0)
    table = to_docx._grid_table(doc, 1, len(BLOCK.columns))
    to_docx._set_header(table, BLOCK, 9.0)
    got = table._tbl.tr_lst[0]
    assert _canonical(got) == _canonical(expected)
    assert len(table._tbl.tr_lst) == 1
    assert [c.text for c in table.rows[0].cells] == [c.header for c in BLOCK.columns]
