"""Plain-text renderings of a profile (Markdown for the command line and reports)."""

from __future__ import annotations

from evidence.models import AreaProfile


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def profile_markdown(p: AreaProfile) -> str:
    """A readable profile: every number with its denominator and period."""
    gb = p.national_basis.startswith("Great Britain")

    def dyn(value: str | None) -> str:
        return "needs two years" if p.snapshot else (value or "-")

    lq_head = "LQ (GB)" if gb else "LQ (vs areas in file)"
    lines = [
        f"# {p.area.name} ({p.area.code}, {p.area.level})",
        "",
        f"Data: {p.source}",
        f"Period: {p.period.start}-{p.period.end}. Total jobs {p.total_jobs:,.0f} in "
        f"{p.period.end} ({p.total_jobs_basis}); national reference: {p.national_basis}.",
        f"Advanced manufacturing: {p.am_jobs:,.0f} of {p.total_jobs:,.0f} jobs "
        f"({p.am_share:.1%}) in {p.period.end}.",
        "",
        "## Sectors",
        "",
        *([] if gb else ["LQ against the sum of areas in the file (no Great Britain row).", ""]),
        *(["Snapshot (one year): growth, shift-share and dynamics need two years.", ""]
          if p.snapshot else []),
        f"| sector | jobs | share of jobs | {lq_head} | growth p.a. | nat. growth p.a. | "
        "shift-share nat / mix / local | productivity vs GB | dynamics |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for s in p.sectors:
        ss = s.shift_share
        ss_text = "-" if ss is None else f"{ss.national:+,.0f} / {ss.industry_mix:+,.0f} / " \
            f"{ss.local:+,.0f}"
        lines.append(
            f"| {s.label} | {_fmt(s.employment, ',.0f')} | {_fmt(s.share, '.2%')} | "
            f"{_fmt(s.lq, '.2f')} | {_fmt(s.growth, '+.1%')} | {_fmt(s.growth_national, '+.1%')} "
            f"| {ss_text} | {_fmt(s.productivity_ratio, '.0%')} | {dyn(s.dynamics)} |"
        )
    lines += ["", "## Comparators", ""]
    if not p.comparators and p.comparators_note:
        lines.append(p.comparators_note)
    for c in p.comparators:
        lines.append(f"- {c.area_name} ({c.area_code}), distance {c.distance:.2f}: "
                     f"{c.similar_because}")
    lines += ["", "## Findings", ""]
    for f in p.findings:
        sector = f" [{f.sector}]" if f.sector else ""
        lines.append(f"- **{f.kind}** / {f.topic}{sector}: {f.text} "
                     f"(judged against: {f.threshold}; confidence {f.confidence:.2f})")
    if p.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in p.notes]
    return "\n".join(lines) + "\n"
