"""Exports: build a report bundle from the synthetic demo, write every format, open it back.

One bundle (and so one rendering of each chart and diagram) serves the whole module; each file
is written once into a module temporary directory and then read back with the library that
would open it in real life: python-docx, openpyxl, html.parser and json.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from evidence.models import Finding
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.appraisal import CashflowLine, default_appraisal
from policy.catalogue import load_catalogue
from policy.export import (
    SUPPORTED_EXTENSIONS,
    ReportBundle,
    build_bundle,
    export,
    neutralise_cell,
    neutralise_row,
    web_charts,
)
from policy.export.report import APPENDIX_TITLES, SECTION_TITLES, SUMMARY_TITLE
from policy.export.safety import xml_safe
from policy.export.to_html import inline_svg
from policy.export.to_xlsx import cba_sheet_name
from policy.labels import finding_heading
from policy.session import StrategySession, session_from_json
from policy.walkthrough import recommend
from tests.paths import ROOT

AREA = ARCHETYPES["engineering_assembly_cluster"][0]
MALICIOUS = '=HYPERLINK("http://evil.example/x","click")'
SCRIPT = "<script>alert(1)</script>"
FORMATS = ("docx", "xlsx", "html", "json")


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence.from_path(None)


@pytest.fixture(scope="module")
def session(evidence: Evidence) -> StrategySession:
    """A session made programmatically: what a user would have decided in the walkthrough."""
    catalogue = load_catalogue()
    profile = evidence.profile(AREA)
    s = StrategySession(area_code=AREA, area_name=profile.area.name, session_id="exporttest",
                        title="Advanced manufacturing strategy (export test)")
    s.findings = [f.model_copy(update={"status": "accepted"}) for f in profile.findings]
    s.findings[-1] = s.findings[-1].model_copy(update={"status": "rejected"})
    s.findings.append(Finding(
        id="local:abc123", kind="bottleneck", topic="skills", text=MALICIOUS,
        threshold="local knowledge", confidence=0.6, origin="local_knowledge",
        status="accepted", note=SCRIPT))
    recs = recommend(evidence, s, catalogue=catalogue)
    s.chosen_interventions = recs.ids()[:4]
    s.answers = {
        "market_failures": ["coordination_failure"],
        "rationale_statement": f"{SCRIPT} Firms cannot coordinate supplier upgrading alone.",
        "target_type": "balanced",
        "focal_sectors": ["automotive", "aerospace"],
        "intended_impacts": ["local_productivity_growth", "good_jobs"],
        "aims_statement": "Grow the supply chain.",
    }
    scores = {r.intervention: r.score for r in recs.recommended}
    state = default_appraisal([(i, scores[i]) for i in s.chosen_interventions], catalogue,
                              profile)
    state.cba["core"].benefit_lines = [CashflowLine(
        label="GVA uplift", kind="benefit", amounts={t: 12.0 for t in range(1, 8)})]
    state.niche_mitigation = "-justified by a local anchor firm"
    s.appraisal = state
    s.workshop = {
        "participants": ["Chair, combined authority", "@college principal"],
        "aggregated_scores": [{"option": "focused", "criterion": "risk", "mean": 61.5, "n": 4}],
        "contributions": ["More apprentices in tier 2 suppliers."],
    }
    s.notes = "+cmd|' /C calc'!A0"
    return s


@pytest.fixture(scope="module")
def bundle(session: StrategySession, evidence: Evidence) -> ReportBundle:
    b = build_bundle(session, evidence)
    b.images()  # render once for the module
    return b


@pytest.fixture(scope="module")
def files(bundle: ReportBundle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt in FORMATS:
        out[fmt] = export(bundle, folder / f"appraisal.{fmt}")
    return out


# --------------------------------------------------------------------------------------------
# Bundle


def test_bundle_gathers_the_session(bundle: ReportBundle, session: StrategySession) -> None:
    assert bundle.synthetic is True
    assert bundle.profile.area.code == AREA
    assert bundle.chosen_ids == session.chosen_interventions
    assert bundle.chosen_basis == "chosen in the session"
    assert bundle.results.mcda is not None and not bundle.results.problems
    assert {"core", "light"} <= set(bundle.results.cba)
    assert bundle.mix is not None and bundle.diagnostics is not None
    assert bundle.intended_impacts == ["local_productivity_growth", "good_jobs"]
    assert [f.id for f in bundle.rejected_findings] == [session.findings[-2].id]
    assert "local:abc123" in {f.id for f in bundle.profile.findings}
    assert bundle.workshop and bundle.workshop["participants"]
    assert not bundle.warnings, bundle.warnings  # every chart rendered
    assert {"sector_structure", "mix:1", "rank_stability"} <= set(bundle.images())


def test_bundle_defaults_for_a_partial_session(evidence: Evidence) -> None:
    b = build_bundle(StrategySession(area_code=AREA), evidence)
    top = [r["intervention"] for r in b.recommendations["recommended"]][: len(b.chosen)]
    assert b.chosen and b.chosen_ids == top
    assert any(d.startswith("interventions:") for d in b.defaults_used)
    assert any(d.startswith("appraisal:") for d in b.defaults_used)
    assert b.appraisal.baseline is not None
    assert b.workshop is None


def test_bundle_needs_an_area(evidence: Evidence) -> None:
    with pytest.raises(ValueError, match="no area"):
        build_bundle(StrategySession(), evidence)
    with pytest.raises(ValueError, match="not in the data"):
        build_bundle(StrategySession(area_code="X99999999"), evidence)


# --------------------------------------------------------------------------------------------
# DOCX


def _docx_headings(path: Path) -> list[tuple[str, str]]:
    doc = docx.Document(str(path))
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


def test_docx_sections_in_order(files: dict[str, Path]) -> None:
    h1 = [text for style, text in _docx_headings(files["docx"]) if style == "Heading 1"]
    assert h1 == [SUMMARY_TITLE, *SECTION_TITLES, *APPENDIX_TITLES]
    h2 = [text for style, text in _docx_headings(files["docx"]) if style == "Heading 2"]
    assert "Weight thresholds" in h2 and "Niche risk" in h2 and "Cost-benefit analysis" in h2


def test_docx_states_synthetic_data_on_the_title_page(files: dict[str, Path]) -> None:
    doc = docx.Document(str(files["docx"]))
    before_first_section = []
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            break
        before_first_section.append(p.text)
    title_text = "\n".join(before_first_section)
    assert "SYNTHETIC DATA" in title_text and "fictional" in title_text
    assert "SYNTHETIC" in doc.sections[0].header.paragraphs[0].text
    # area, period and source are stated on the title page (in its table)
    cells = [c.text for t in doc.tables[:1] for row in t.rows for c in row.cells]
    assert AREA in " ".join(cells) and "2015-2024" in " ".join(cells)
    assert any("synthetic" in c.lower() for c in cells)


def test_docx_has_images_tables_and_denominators(files: dict[str, Path],
                                                 bundle: ReportBundle) -> None:
    doc = docx.Document(str(files["docx"]))
    assert len(doc.inline_shapes) >= 5  # charts, merged mix diagram, chains, rank stability
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    sector_caption = next(c for c in captions if c.startswith("Table 1.1"))
    assert f"{bundle.profile.total_jobs:,.0f} jobs" in sector_caption
    assert "2015-2024" in sector_caption
    header = [c.text for c in doc.tables[2].rows[0].cells]  # headline, then sector table
    assert header[:2] == ["Sector", "Jobs 2024"] and "LQ vs GB 2024" in header


def test_docx_trace_appendix_names_rules_and_evidence(files: dict[str, Path],
                                                      bundle: ReportBundle) -> None:
    doc = docx.Document(str(files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index(APPENDIX_TITLES[0])
    end = texts.index(APPENDIX_TITLES[1])
    appendix = "\n".join(texts[start:end])
    first = bundle.recommendations["recommended"][0]
    # issue 15: the appendix names each rule and finding in words (its title, its heading and
    # text); the ids it used to print are in the JSON export, for the auditor
    title = first["trace"][0]["title"]
    assert f"Rule: {title}. " in appendix
    finding_ids = first["trace"][0]["conditions"][0]["findings"]
    finding = bundle.findings_by_id()[finding_ids[0]]
    assert finding_ids and f"{finding_heading(finding)}: {finding.text}" in appendix
    assert finding_ids[0] in files["json"].read_text(encoding="utf-8")
    # local knowledge is marked in the strengths and bottlenecks section
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "[Local knowledge] " + MALICIOUS in cells
    not_rec = "\n".join(texts[end:])
    assert APPENDIX_TITLES[2] in not_rec


# --------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_sheets_headers_and_numbers(files: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(files["xlsx"])
    expected = {"Evidence", "Findings", "Recommendations", "Weights", "Scores", "MCDA",
                "CBA_core", "CBA_light", "Sensitivity", "About", "Summary", "Evaluation"}
    assert expected <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.bold, ws.title
    ev = wb["Evidence"]
    headers = [c.value for c in ev[1]]
    jobs = headers.index("Jobs 2024") + 1
    cell = ev.cell(row=2, column=jobs)
    assert isinstance(cell.value, int | float) and cell.number_format == "#,##0"
    share = next(i for i, h in enumerate(headers, 1) if h.startswith("Share of all jobs 2024"))
    assert ev.cell(row=2, column=share).number_format == "0.00%"
    about = {r[0]: r[1] for r in wb["About"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert about["Synthetic data"] is True and about["Area code"] == AREA
    assert about["Period start"] == 2015 and about["Period end"] == 2024
    assert about["Generated (UTC)"] is not None


def test_xlsx_cba_discount_factors_follow_the_green_book(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["CBA_core"]
    headers = [c.value for c in ws[1]]
    for name in ("year", "cost", "benefit", "discount factor", "PV cost", "PV benefit"):
        assert name in headers
    year, df = headers.index("year"), headers.index("discount factor")
    cost, pv_cost = headers.index("cost"), headers.index("PV cost")
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[year], int)]
    assert len(rows) >= 7
    for r in rows:
        assert r[df] == pytest.approx(1 / 1.035 ** r[year], rel=1e-12)
        assert r[pv_cost] == pytest.approx(r[cost] * r[df])


def test_xlsx_neutralises_user_text_and_holds_no_formula(files: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(files["xlsx"])
    found = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), \
                        f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                    found |= cell.value == "'" + MALICIOUS
    assert found, "the local finding's text is not in the workbook"
    findings = {r[0]: r for r in wb["Findings"].iter_rows(min_row=2, values_only=True)}
    assert findings["local:abc123"][4] == "'" + MALICIOUS
    assert findings["local:abc123"][10] == SCRIPT  # harmless in a cell: stays as typed


# --------------------------------------------------------------------------------------------
# HTML


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.h1: list[str] = []
        self.text: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_h1 = tag == "h1"
        if self._in_h1:
            self.h1.append("")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "action", "poster", "srcset"):
                self.urls.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h1:
            self.h1[-1] += data


_SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def test_html_is_one_self_contained_file(files: dict[str, Path]) -> None:
    text = files["html"].read_text(encoding="utf-8")
    # The only scripts: the vendored Vega bundle and the render script (run by hash), and the
    # charts' specs as JSON data blocks (never run).
    executable, specs = [], []
    for attrs, body in _SCRIPT_ELEMENT.findall(text):
        if attrs.strip():
            assert re.fullmatch(r'\s*type="application/json" id="fig\d+-spec"', attrs), attrs
            specs.append(json.loads(body))
        else:
            executable.append(body)
    assert executable == [web_charts.bundle(), web_charts.RENDER_JS]
    assert len(specs) >= 6
    assert all("$schema" not in s and ("data" in s or "datasets" in s) for s in specs)
    assert text.count('<div class="vega-chart"') == len(specs)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    hashes = re.findall(r"'sha256-([^']+)'", csp)
    assert sorted(hashes) == sorted(
        base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() for js in executable)
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "connect-src" not in csp and "unsafe-inline" not in script_src
    rest = _SCRIPT_ELEMENT.sub("", text)  # the document around the scripts
    parser = _Collector()
    parser.feed(rest)
    parser.close()
    assert "link" not in parser.tags and "iframe" not in parser.tags
    assert "object" not in parser.tags and "script" not in parser.tags
    for url in parser.urls:
        assert url.startswith(("data:", "#")), url
    assert not re.search(r"url\(\s*['\"]?https?:", rest, re.I) and "@import" not in rest
    # diagrams inline as SVG, charts as specs; none as a base64 PNG
    assert "<svg" in rest and "data:image/png;base64," not in text
    assert rest.count("<figure>") == rest.count("<figure><svg") + len(specs)
    # the only http(s) text outside the library is the user's own (escaped) note
    for match in re.finditer(r"https?://", rest):
        assert rest[max(0, match.start() - 40):match.start()].find("HYPERLINK") >= 0


def test_spec_blocks_cannot_be_closed_by_user_text() -> None:
    hostile = '</script><script>alert(1)</script><!-- & "'
    spec = json.dumps({"$schema": "https://vega.github.io/x.json", "title": hostile,
                       "data": {"values": [{"name": hostile}]}, "mark": "bar"})
    block = web_charts.spec_block(spec, "fig1-spec")
    body = block.removeprefix('<script type="application/json" id="fig1-spec">')
    body = body.removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    back = json.loads(body)
    assert back["title"] == hostile and back["data"]["values"][0]["name"] == hostile
    assert "$schema" not in back


def test_vendored_bundle_is_vl_converts_and_inlinable() -> None:
    import vl_convert

    js = web_charts.bundle()
    first = js.splitlines()[0]
    assert f"Vega {vl_convert.get_vega_version()}," in first
    assert f"Vega-Lite {vl_convert.get_vegalite_versions()[-1]}," in first
    assert "</script" not in js.lower() and "<!--" not in js  # safe inside a script element
    assert (ROOT / "policy/export/data/VEGA-LICENSES.md").is_file()


def test_html_sections_and_escaping(files: dict[str, Path]) -> None:
    text = files["html"].read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    sections = [h for h in parser.h1 if h in (SUMMARY_TITLE, *SECTION_TITLES, *APPENDIX_TITLES)]
    assert sections == [SUMMARY_TITLE, *SECTION_TITLES, *APPENDIX_TITLES]
    assert html.escape(MALICIOUS, quote=True) in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert SCRIPT not in text
    assert "SYNTHETIC DATA" in "".join(parser.text)


# --------------------------------------------------------------------------------------------
# JSON and dispatch


def test_json_has_the_bundle_data(files: dict[str, Path], session: StrategySession) -> None:
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert {"session", "profile", "recommendations", "appraisal", "mix", "source"} <= set(data)
    assert data["source"]["synthetic"] is True
    assert data["appraisal"]["results"]["mcda"]["rows"]
    assert data["recommendations"]["recommended"][0]["trace"]
    assert data["causal"]["graph"]["nodes"]
    back = session_from_json(json.dumps(data["session"]))
    assert back.chosen_interventions == session.chosen_interventions
    assert back.findings[-1].text == MALICIOUS


def test_export_refuses_unknown_extensions(bundle: ReportBundle, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as err:
        export(bundle, tmp_path / "appraisal.pdf")
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in str(err.value)
    with pytest.raises(ValueError, match=r"\.docx"):
        export(bundle, tmp_path / "appraisal")


def test_export_package_never_imports_streamlit() -> None:
    root = ROOT
    for path in [*(root / "policy" / "export").glob("*.py"), root / "evidence" / "charts.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path.name


# --------------------------------------------------------------------------------------------
# Safety helpers


@pytest.mark.parametrize("text", [
    "=1+1", "+44 20 7946 0000", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd", MALICIOUS,
])
def test_neutralise_cell_prefixes_formula_text(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", [
    "plain text", "", " =leading space is text", "'already quoted", 42, -3.5, 0, None, True,
])
def test_neutralise_cell_leaves_other_values(value: object) -> None:
    assert neutralise_cell(value) == value
    if isinstance(value, int | float):
        assert type(neutralise_cell(value)) is type(value)


def test_neutralise_row_and_xml_safe() -> None:
    assert neutralise_row(["=A1", 1.5, "ok", None]) == ["'=A1", 1.5, "ok", None]
    assert xml_safe("a\x00b\x0bc\td\ne") == "abc\td\ne"


def test_cba_sheet_names_are_excel_safe_and_unique() -> None:
    taken = {"CBA"}
    assert cba_sheet_name("focused", taken) == "CBA_focused"
    assert cba_sheet_name("focused", taken) == "CBA_focused_2"
    odd = cba_sheet_name("a/b:c*d?[e]" + "x" * 40, taken)
    assert len(odd) <= 31 and not set("/:*?[]\\'") & set(odd)


def test_inline_svg_drops_urls_and_prefixes_ids() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="5pt" '
        'viewBox="0 0 10 5" xmlns="http://www.w3.org/2000/svg"><metadata>http://x</metadata>'
        '<defs><clipPath id="p1"/></defs><g clip-path="url(#p1)"><use xlink:href="#p1"/></g>'
        "</svg>"
    )
    out = inline_svg(svg, "fig3")
    assert out.startswith("<svg") and "http" not in out
    assert 'id="fig3-p1"' in out and "url(#fig3-p1)" in out and 'xlink:href="#fig3-p1"' in out
    assert 'width="100%"' in out and "viewBox" in out


# --------------------------------------------------------------------------------------------
# Issue 12: the report leads with the answer; VfM statement and evaluation plan read back


def test_docx_leads_with_the_executive_summary(files: dict[str, Path],
                                               bundle: ReportBundle) -> None:
    doc = docx.Document(str(files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1[0] == SUMMARY_TITLE
    start, end = texts.index(SUMMARY_TITLE), texts.index(SECTION_TITLES[0])
    summary = "\n".join(texts[start:end])
    for label in ("Position:", "Recommended option:", "Cost:", "Value for money:",
                  "Main risks:", "What would change the recommendation:"):
        assert label in summary, label
    top = bundle.results.mcda.top
    assert bundle.option_name(top) in summary
    position = next(t for t in texts[start:end] if t.startswith("Position:"))
    assert position.count(". ") + position.endswith(".") >= 3  # three sentences
    if top in bundle.results.cba:
        assert bundle.results.cba[top].vfm_statement in summary


def test_vfm_and_evaluation_plan_in_every_format(files: dict[str, Path],
                                                 bundle: ReportBundle) -> None:
    plan = bundle.evaluation
    assert plan is not None and plan.rows and plan.designs
    assert {r.stage for r in plan.rows} == {"outputs", "outcomes", "impacts"}
    core = bundle.results.cba["core"]
    assert core.vfm_label is not None  # the test session enters benefits for 'core'
    doc = docx.Document(str(files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    assert SECTION_TITLES[8] == "9 Monitoring and evaluation" and SECTION_TITLES[8] in texts
    for h in ("Logframe", "Evaluation design", "Timing", "Risks to evaluability"):
        assert h in texts
    cells = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Maryland SMS level" in cells and plan.rows[0].indicator in cells
    assert core.vfm_label in cells and "Value for money" in cells
    html_text = files["html"].read_text(encoding="utf-8")
    assert "Logframe" in html_text and "Maryland" in html_text
    assert "DfT (2015) Value for Money Framework" in html_text
    wb = openpyxl.load_workbook(files["xlsx"])
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert "Recommended option" in summary and "Value for money" in summary
    ev = wb["Evaluation"]
    assert [c.value for c in ev[1]][:4] == ["Node id", "Stage", "Result", "Indicator"]
    values = [c for row in ev.iter_rows(values_only=True) for c in row if c is not None]
    assert "Maryland SMS level" in values
    cba_rows = list(wb["CBA"].iter_rows(values_only=True))
    assert "Value for money" in cba_rows[0] and "BCR (public cost)" in cba_rows[0]
    notes = [str(c) for row in cba_rows for c in row if c]
    assert any(core.vfm_statement in n for n in notes)


def test_html_contents_are_numbered_once(files: dict[str, Path]) -> None:
    text = files["html"].read_text(encoding="utf-8")
    nav = text[text.index('<nav class="toc">'):text.index("</nav>")]
    assert "<ol>" not in nav and "<ul>" in nav
    assert ">1 Evidence<" in nav and ">Executive summary<" in nav


def test_docx_tables_fit_the_page(files: dict[str, Path]) -> None:
    doc = docx.Document(str(files["docx"]))
    for table in doc.tables[1:]:  # the title page table aside
        width = table._tbl.tblPr.find(qn("w:tblW"))
        assert width is not None and width.get(qn("w:type")) == "pct"
        assert width.get(qn("w:w")) == "5000"
