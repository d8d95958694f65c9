"""Write the real-layout test fixtures of issue 9 into tests/fixtures/.

Each fixture starts with the first lines of a real NOMIS / ONS download (copied unchanged from
``../shared/data/layouts/``, Open Government Licence v3.0: "Contains public sector information
licensed under the Open Government Licence v3.0") and continues with made-up rows in the same
layout whose sector sums are worked out by hand in ``tests/evidence/test_real_layouts.py``.
Run once from the project root; the fixtures are committed, so tests never need ../shared.

    python scripts/make_layout_fixtures.py [path/to/shared/data/layouts]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures"
LAYOUTS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "layouts"


def _head(name: str, encoding: str = "latin-1") -> list[str]:
    return (LAYOUTS / name).read_text(encoding=encoding).splitlines()


def _bulk_row(template: list[str], *, year: str, geo_name: str, geo_code: str, industry: str,
              code: str, industry_type: str, status: str, value: str, obs: str = "A") -> str:
    """One bulk line in the 40-column NOMIS layout, from a real line as the template."""
    r = list(template)
    r[0] = r[1] = r[2] = year
    r[7], r[8] = geo_name, geo_code
    r[13], r[14], r[15] = industry, code, industry_type
    status_codes = {"Employees": "1", "Full-time employees": "2", "Part-time employees": "3",
                    "Employment": "4"}
    r[18] = r[20] = status_codes[status]
    r[19] = status
    r[32] = value
    r[33] = obs
    r[34] = "Normal Value" if obs == "A" else "Estimate suppressed"
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="").writerow(r)
    return out.getvalue()


SUBCLASS_ROWS = [  # (code, label, Employment); full-time = 60 %, part-time = 20 % of it
    ("01000", "DEFRA/Scottish Executive Agricultural Data", 300),
    ("21100", "Manufacture of basic pharmaceutical products", 50),
    ("21200", "Manufacture of pharmaceutical preparations", 150),
    ("25400", "Manufacture of weapons and ammunition", 10),
    ("29100", "Manufacture of motor vehicles", 100),
    ("29201", "Manufacture of bodies (coachwork) for motor vehicles (except caravans)", 20),
    ("29202", "Manufacture of trailers and semi-trailers", 30),
    ("29203", "Manufacture of caravans", 5),
    ("29310", "Manufacture of electrical and electronic equipment for motor vehicles", 40),
    ("29320", "Manufacture of other parts and accessories for motor vehicles", 60),
    ("30300", "Manufacture of air and spacecraft and related machinery", 400),
    ("68201", "Renting and operating of Housing Association real estate", 10),
    ("68202", "Letting and operating of conference and exhibition centres", 5),
    ("68209", "Other letting and operating of own or leased real estate", 85),
]


def five_digit_latin1() -> None:
    lines = _head("nomis_bulk_5digit_latin1_head.csv")
    template = next(csv.reader([lines[1]]))
    extra = []
    for code, label, value in SUBCLASS_ROWS:
        for status, share in (("Full-time employees", 0.6), ("Part-time employees", 0.2),
                              ("Employment", 1.0)):
            extra.append(_bulk_row(
                template, year="2019", geo_name="Isle of Anglesey / Ynys Môn",
                geo_code="W06000001", industry=f"{code} : {label}    ", code=code,
                industry_type="SIC 2007 subclass (5 digit)", status=status,
                value=str(round(value * share))))
    text = "\n".join(lines + extra) + "\n"
    (OUT / "nomis_bulk_5digit_latin1.csv").write_bytes(text.encode("latin-1"))


MIXED_ROWS = [  # (code, label, type, Derby, Bristol, Great Britain Employment)
    ("20", "Manufacture of chemicals and chemical products", "division", 300, 100, 120000),
    ("21", "Manufacture of basic pharmaceutical products and pharmaceutical preparations",
     "division", 50, 400, 50000),
    ("25", "Manufacture of fabricated metal products, except machinery and equipment",
     "division", 2000, 900, 300000),
    ("254", "Manufacture of weapons and ammunition", "group", 15, 0, 9000),
    ("26", "Manufacture of computer, electronic and optical products", "division", 700, 1500,
     130000),
    ("27", "Manufacture of electrical equipment", "division", 250, 300, 80000),
    ("28", "Manufacture of machinery and equipment n.e.c.", "division", 1200, 600, 200000),
    ("29", "Manufacture of motor vehicles, trailers and semi-trailers", "division", 900, 200,
     160000),
    ("2910", "Manufacture of motor vehicles", "class", 600, 50, 80000),
    ("30", "Manufacture of other transport equipment", "division", 12000, 9000, 150000),
    ("302", "Manufacture of railway locomotives and rolling stock", "group", 3500, 20, 20000),
    ("303", "Manufacture of air and spacecraft and related machinery", "group", 8000, 8500,
     100000),
    ("3030", "Manufacture of air and spacecraft and related machinery", "class", 7995, 8495,
     99995),
    ("304", "Manufacture of military fighting vehicles", "group", 0, 100, 2000),
    ("309", "Manufacture of transport equipment n.e.c.", "group", 500, 380, 8000),
    ("32", "Other manufacturing", "division", 400, 700, 90000),
    ("68", "Real estate activities", "division", 1500, 4000, 600000),
]
LEVEL_TYPE = {"division": "SIC 2007 division (2 digit)", "group": "SIC 2007 group (3 digit)",
              "class": "SIC 2007 class (4 digit)"}


def mixed_levels() -> None:
    lines = _head("nomis_bulk_gb_mixed_levels_head.csv")
    template = next(csv.reader([lines[1]]))
    extra = []
    for geo_name, geo_code, col in (("Derby", "E06000015", 3),
                                    ("Bristol, City of", "E06000023", 4),
                                    ("Great Britain", "K03000001", 5)):
        for row in MIXED_ROWS:
            code, label, kind, value = row[0], row[1], row[2], row[col]
            for status, share in (("Employees", 0.9), ("Full-time employees", 0.6),
                                  ("Part-time employees", 0.3), ("Employment", 1.0)):
                extra.append(_bulk_row(
                    template, year="2021", geo_name=geo_name, geo_code=geo_code,
                    industry=f"{code} : {label}", code=code, industry_type=LEVEL_TYPE[kind],
                    status=status, value=str(round(value * share))))
    (OUT / "nomis_bulk_gb_mixed_levels.csv").write_text("\n".join(lines + extra) + "\n",
                                                         encoding="utf-8")


SECTIONS = [("H", "Transportation and storage", 14000), ("M", "Professional, scientific and "
            "technical activities", 11000), ("Q", "Human health and social work activities",
                                             33000)]


def api_sections() -> None:
    lines = _head("nomis_api_sections_head.csv")
    extra = [f'2015,E08000032,Bradford,{c},"{c} : {label}",{v}' for c, label, v in SECTIONS]
    (OUT / "nomis_api_sections.csv").write_text("\n".join(lines + extra) + "\n",
                                                encoding="utf-8")


def query_by_name_sections() -> None:
    lines = _head("nomis_query_by_name_sections_head.csv")
    (OUT / "nomis_query_by_name_sections.csv").write_text("\n".join(lines) + "\n",
                                                          encoding="utf-8")


def query_by_name_classes() -> None:
    """The real query layout (title lines, names with prefixes, empty flag columns), classes."""
    lines = _head("nomis_query_by_name_sections_head.csv")[:7]
    lines[4] = '"Date       :","2022"'
    lines[5] = '"Employment status:","Employment"'
    header = ['"Area"', '"2910 : Manufacture of motor vehicles"', '""',
              '"3030 : Manufacture of air and spacecraft and related machinery"', '""',
              '"2110 : Manufacture of basic pharmaceutical products"', '""',
              '"2120 : Manufacture of pharmaceutical preparations"', '""',
              '"6820 : Renting and operating of own or leased real estate"', '""']
    rows = [
        ('"combauth:Greater Manchester"', [1250, 900, 2500, 3000, 20000]),
        ('"ladu:Bristol, City of"', [50, 8500, 40, 60, 9000]),
        ('"ladu:Derby"', [600, 8000, "*", 25, 2000]),
        ('"towncity:Nowhereville"', [5, 0, 0, 0, 100]),
    ]
    body = [",".join([name] + [f"{v},{'' if v != '*' else ''}" for v in values])
            for name, values in rows]
    text = "\n".join(lines + [",".join(header), ""] + body + [""]) + "\n"
    (OUT / "nomis_query_by_name_classes.csv").write_text(text, encoding="utf-8")


def ons_gva_itl() -> None:
    for name in ("ons_gva_itl1_table1c_head.csv", "ons_gva_itl3_table3c_head.csv"):
        raw = (LAYOUTS / name).read_bytes()
        (OUT / name.replace("_head", "")).write_bytes(raw)


if __name__ == "__main__":
    five_digit_latin1()
    mixed_levels()
    api_sections()
    query_by_name_sections()
    query_by_name_classes()
    ons_gva_itl()
    print(f"wrote fixtures to {OUT}")
