"""The report's causal diagrams are there and readable (issue 14): the chosen mix a stage at a
time as the app shows it, then each intervention's chain; read back from the HTML (inline SVG
with the boxes' words as text, never drawn larger than its own 12 px) and from the Word file
(PNG pictures, sharp and with their text at a readable printed size)."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import docx
import pytest
from docx.shared import Emu
from PIL import Image

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.catalogue import chain_graph, stage_views, to_png
from policy.export import ReportBundle, build_bundle, export
from policy.walkthrough import new_session

AREA = ARCHETYPES["engineering_assembly_cluster"][0]
PART = "The chosen interventions' causal chains merged, part "
CHAIN = "Causal chain (logic model) of "


@pytest.fixture(scope="module")
def bundle() -> ReportBundle:
    ev = Evidence.from_path(None)
    return build_bundle(new_session(ev, AREA), ev)


@pytest.fixture(scope="module")
def files(bundle: ReportBundle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("diagrams")
    return {fmt: export(bundle, out / f"report.{fmt}") for fmt in ("html", "docx")}


def _diagram_figures(text: str) -> list[tuple[str, str]]:
    """(caption, svg) of each figure whose caption names a causal diagram, in order."""
    out = []
    for body, caption in re.findall(r"<figure>(.*?)<figcaption>(.*?)</figcaption></figure>",
                                    text, re.S):
        caption = html.unescape(caption)
        if caption.startswith((PART, CHAIN)):
            out.append((caption, body))
    return out


def test_html_draws_the_mix_a_stage_at_a_time_then_each_chain(
        bundle: ReportBundle, files: dict[str, Path]) -> None:
    figures = _diagram_figures(files["html"].read_text("utf-8"))
    parts = stage_views(bundle.graph)
    assert len(parts) >= 3 and bundle.chosen
    assert [c for c, _ in figures] == [
        *(f"{PART}{n} of {len(parts)}: {title.lower()}. Boxes marked xN are shared by N "
          "interventions; thicker arrows are links several chains rely on."
          for n, (title, _) in enumerate(parts, 1)),
        *(f"{CHAIN}{iv.name}." for iv in bundle.chosen),
    ]
    graphs = [part for _, part in parts] + [chain_graph(iv) for iv in bundle.chosen]
    for (caption, svg), graph in zip(figures, graphs, strict=True):
        words = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>",
                                                               svg)).split()
        for _, data in graph.nodes(data=True):  # every box's words, as searchable text
            for word in str(data["label"]).split():
                assert word in words or any(word.startswith(w) for w in words), (caption, word)
        # drawn at 12 px text and never scaled up: at most its own width, within the page
        assert 'font-size="12"' in svg
        own = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
        assert f'style="max-width: {own:.0f}px"' in svg
        assert own <= 1020, caption  # the report's text column: 1,100 px less its padding


def _pictures(path: Path) -> list[tuple[str, bytes, float]]:
    """(caption, PNG bytes, width in inches) of each picture followed by a caption."""
    doc = docx.Document(str(path))
    paragraphs = doc.paragraphs
    out = []
    for para, after in zip(paragraphs, paragraphs[1:], strict=False):
        blips = para._p.xpath(".//a:blip/@r:embed")
        extents = para._p.xpath(".//wp:extent/@cx")
        if blips and after.style.name == "Caption":
            blob = doc.part.related_parts[blips[0]].blob
            out.append((after.text, blob, Emu(int(extents[0])).inches))
    return out


def test_word_pictures_are_the_diagrams_sharp_and_readable(
        bundle: ReportBundle, files: dict[str, Path]) -> None:
    pictures = [p for p in _pictures(files["docx"]) if p[0].startswith((PART, CHAIN))]
    parts = stage_views(bundle.graph)
    expected = [to_png(part, title=title) for title, part in parts]
    expected += [to_png(chain_graph(iv), title=iv.name) for iv in bundle.chosen]
    assert [blob for _, blob, _ in pictures] == expected  # the same drawings, in order
    for caption, blob, width_in in pictures:
        image = Image.open(io.BytesIO(blob))
        assert image.format == "PNG"
        px_wide, px_high = image.size
        assert px_wide / width_in >= 140, caption  # at least 140 dots an inch as placed
        # box text is 12 px in a drawing of px_wide / 1.5 px: its size on paper, in points
        printed_pt = 12 * 0.75 * width_in * 96 / (px_wide / 1.5)
        floor = 7.0 if caption.startswith(PART) else 6.0
        assert printed_pt >= floor, (caption, round(printed_pt, 1))
        assert printed_pt <= 9.01, caption  # never blown up past its own size
        assert width_in * px_high / px_wide <= 8.61, caption  # fits an A4 page's text
        grey = image.convert("L").histogram()
        assert sum(grey[:90]) > 0.003 * px_wide * px_high, caption  # dark text is there
