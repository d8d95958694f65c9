"""The causal diagrams drawn for reports without matplotlib (issue 14): SVG written from the
layered layout, PNG the same drawing through Pillow. Both must carry every box and its text,
escape what they are given, and come out the same every time."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

from PIL import Image

from policy.catalogue import (
    chain_graph,
    diagram_size,
    load_catalogue,
    merge_chains,
    stage_views,
    to_png,
    to_svg,
)

CATALOGUE = load_catalogue()
NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_svg_has_every_box_arrow_and_word() -> None:
    mix = merge_chains([CATALOGUE["fe_apprenticeships"], CATALOGUE["digital_adoption"]])
    svg = to_svg(mix, title="Skills and digital")
    root = ET.fromstring(svg)
    boxes = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert len(boxes) == mix.number_of_nodes()
    assert len(list(root.iter(f"{NS}path"))) == mix.number_of_edges()
    words = " ".join(_texts(svg)).split()
    for _, data in mix.nodes(data=True):
        for word in str(data["label"]).split():
            assert word in words or any(word.startswith(w) for w in words), word
    assert "Skills and digital" in _texts(svg)
    assert to_svg(mix, title="Skills and digital") == svg  # deterministic: reports diff cleanly


def test_svg_text_is_escaped_and_hover_names_interventions() -> None:
    graph = chain_graph(CATALOGUE["export_support"])
    node = next(iter(graph.nodes))
    graph.nodes[node]["label"] = 'Evil <script>alert("x")</script> & co'
    svg = to_svg(graph, title="<b>title</b>", names={"export_support": "Export help"})
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;title&lt;/b&gt;" in svg
    hovers = [t.text for t in ET.fromstring(svg).iter(f"{NS}title")]
    assert any(h and "From: Export help" in h for h in hovers)


def test_png_is_the_drawing_at_its_scale_with_text_in_it() -> None:
    graph = chain_graph(CATALOGUE["am_centre_hub"])
    width, height = diagram_size(graph, title="Hub")
    png = to_png(graph, title="Hub", scale=1.5)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (math.ceil(width * 1.5), math.ceil(height * 1.5))
    blank = graph.copy()
    for n in blank.nodes:
        blank.nodes[n]["label"] = "."
    without = Image.open(io.BytesIO(to_png(blank, title="Hub", scale=1.5)))

    def dark(im: Image.Image) -> int:
        return sum(im.convert("L").histogram()[:90])

    assert without.size[0] == image.size[0]
    # the box text is drawn: thousands of dark pixels that the dotted version lacks (about
    # 23,600 against 4,300 for this chain)
    assert dark(image) > dark(without) + 600 * graph.number_of_nodes()
    assert to_png(graph, title="Hub", scale=1.5) == png


def test_stage_parts_fit_a_page_at_reading_size() -> None:
    """Each part of a six-intervention mix is drawn at 12 px text no wider than 800 px, so a
    700-1,000 px page shows its text at 10-12 px (the whole mix in one picture is 860 x 1,580
    px, taller than a page); a single intervention's chain of seven columns stays under
    900 px."""
    mix = merge_chains(list(CATALOGUE.values())[:6])
    for title, part in stage_views(mix):
        assert diagram_size(part, title=title)[0] <= 800, title
    for item in CATALOGUE.values():
        assert diagram_size(chain_graph(item), title=item.name)[0] <= 900, item.id
