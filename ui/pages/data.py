"""Step 1: choose the data and the area (a district, a predefined group, or a custom set)."""

from __future__ import annotations

import streamlit as st

from evidence.dataset import NEIGHBOURHOOD_LEVELS, DataError
from evidence.service import SAMPLE_NUTS2, Evidence, load_any, source_spec, split_source
from evidence.sources.samples import SAMPLE_SOURCE
from policy.labels import reader_words
from policy.session import StrategySession
from ui.state import (
    FULL_DEMO,
    evidence_for,
    get_session,
    save_upload,
    session_profile,
    try_evidence,
)
from ui.widgets import next_button, plain, synthetic_banner

SOURCES = {
    "bundled": "Bundled demo (synthetic, advanced manufacturing classes only; instant)",
    "full": "Full national demo (synthetic, every SIC class; generated on first use)",
    "sample": "Real sample: BRES employment for the 39 NUTS2 areas of Great Britain, 2015-2018",
    "upload": "Upload a file (NOMIS BRES CSV or XLSX, ONS GVA alongside, or a policymix CSV)",
}
STATUSES = ["Employment", "Employees", "Full-time employees", "Part-time employees"]
LEVEL_LABELS = {"lad": "District", "group": "Partnership area", "region": "Region",
                "custom": "Custom area", "country": "Country"}


def _choose_source() -> bool:
    """The source radio and, for an upload, the file form; False while Upload is chosen but
    no file is loaded yet (the page then shows nothing of the previous source)."""
    session = get_session()
    current = ("bundled" if session.data_source is None
               else "full" if session.data_source == FULL_DEMO
               else "sample" if session.data_source == SAMPLE_NUTS2 else "upload")
    choice = st.radio("Data source", list(SOURCES), index=list(SOURCES).index(current),
                      format_func=SOURCES.__getitem__, key="data_source_choice")
    if choice == "bundled" and session.data_source is not None:
        session.switch_source(None)
    elif choice == "full" and session.data_source != FULL_DEMO:
        with st.status("Preparing the full national demo (about 2 million rows; generated "
                       "once, then cached)...", expanded=True) as status:
            st.write("Generating or reading the data, then computing every indicator for "
                     "every area...")
            previous = session.data_source
            session.switch_source(FULL_DEMO)
            try:
                evidence_for(session)
            except DataError as exc:
                session.switch_source(previous)
                status.update(label="Could not prepare the full demo", state="error")
                st.error(str(exc))
                return
            status.update(label="Full national demo ready", state="complete", expanded=False)
    elif choice == "sample" and session.data_source != SAMPLE_NUTS2:
        session.switch_source(SAMPLE_NUTS2)
    elif choice == "upload":
        uploaded = st.file_uploader("Employment data file", type=["csv", "gz", "xlsx", "parquet"],
                                    key="upload_file")
        gva_file = st.file_uploader("ONS regional GVA by industry and local authority "
                                    "(optional, CSV or XLSX)", type=["csv", "xlsx"],
                                    key="upload_gva")
        context_files = st.file_uploader(
            "NOMIS context (optional): APS qualifications, APS occupations, UK Business Counts "
            "by size band (XLSX or CSV)", type=["csv", "xlsx"], accept_multiple_files=True,
            key="upload_context")
        lookup_file = st.file_uploader(
            "Neighbourhood lookup (optional, for MSOA or LSOA data): the ONS lookup from areas "
            "to local authority districts (CSV or XLSX)", type=["csv", "gz", "xlsx"],
            key="upload_lookup")
        status = st.selectbox(
            "Employment status (when the file has several; they are never added together)",
            STATUSES, index=STATUSES.index(_current_status(session.data_source)),
            key="upload_status")
        if uploaded is not None:
            try:  # the server's size caps, checked before any reader sees the file
                path = save_upload(uploaded.name, uploaded.getvalue())
                gva_path = save_upload(gva_file.name, gva_file.getvalue()) if gva_file else None
                context = [str(save_upload(f.name, f.getvalue())) for f in context_files or []]
                lookup_path = (save_upload(lookup_file.name, lookup_file.getvalue())
                               if lookup_file else None)
            except DataError as exc:
                st.error("That file was not loaded, and nothing in your session changed. "
                         f"{plain(exc)}")
                return False
            gva = str(gva_path) if gva_path else None
            lookup = str(lookup_path) if lookup_path else None
            spec = source_spec(path, None if status == STATUSES[0] else status)
            if spec != session.data_source or gva != session.gva_source \
                    or context != session.context_sources or lookup != session.lookup_source:
                try:  # a bad file changes nothing
                    load_any(spec, gva_path, context=context, lookup=lookup)
                except DataError as exc:
                    message = str(exc).replace(str(path), uploaded.name)
                    if gva_file is not None and gva_path is not None:
                        message = message.replace(str(gva_path), gva_file.name)
                    if lookup_file is not None and lookup is not None:
                        message = message.replace(lookup, lookup_file.name)
                    for upload, saved in zip(context_files or [], context, strict=True):
                        message = message.replace(saved, upload.name)
                    st.error(f"That file was not loaded, and nothing in your session changed. "
                             f"{plain(message)}")
                    return False
                session.switch_source(spec, gva, context, lookup)
                st.success(f"Loaded {plain(uploaded.name)}"
                           + (f" with GVA from {plain(gva_file.name)}." if gva_file else "."))
        if session.data_source in (None, FULL_DEMO, SAMPLE_NUTS2):
            st.info("Choose a file to load; the areas and figures of your file appear here "
                    "once it is read.")
            return False
    return True


def _current_status(source: str | None) -> str:
    if source is None:
        return STATUSES[0]
    status = split_source(source)[1]
    matches = [x for x in STATUSES if status and x.lower() == status.lower()]
    return matches[0] if matches else STATUSES[0]


def _load_report(ev: Evidence) -> None:
    """What was read from the file: rows, areas, years, level, status, what was left out."""
    src = ev.dataset.source
    if src.source_kind == "sample":
        st.info(f"**Real official statistics**: {SAMPLE_SOURCE}.",
                icon=":material/verified:")
    report = src.report
    if report is None:
        return
    with st.expander("Load report: what was read from the file", expanded=True):
        st.markdown("\n".join(f"- {line}" for line in report.lines()))


def _neighbourhood_parents(ev: Evidence) -> dict[str, str]:
    """Neighbourhood code -> its district's code, for data with MSOAs or LSOAs (else empty)."""
    areas = ev.cube.areas
    nb = areas[areas["level"].isin(list(NEIGHBOURHOOD_LEVELS))]
    return dict(zip(nb["area_code"], nb["group_code"], strict=True))


def _choose_neighbourhood(ev: Evidence, district: str, current: str | None,
                          parents: dict[str, str]) -> str:
    """Within a district of data with neighbourhoods: the whole district or one of them."""
    areas = ev.areas()
    inside = areas[areas["area_code"].map(parents) == district]
    if inside.empty:
        return district
    names = {district: "Whole district",
             **dict(zip(inside["area_code"], inside["area_name"], strict=True))}
    codes = list(names)
    picked = st.selectbox(
        f"Neighbourhood within the district ({len(inside)}; BRES small-area counts are "
        "rounded and often suppressed)", codes,
        index=codes.index(current) if current in names else 0,
        format_func=lambda c: names[c] if c == district else f"{names[c]} ({c})",
        key=f"neighbourhood_pick_{district}")
    return picked or district


def level_labels(ev: Evidence) -> dict[str, str]:
    """The kinds of area in the data's own words: the NUTS2 sample's lowest areas are filed
    as districts by the contract but are NUTS2 areas, and the page must say so."""
    word = ev.dataset.source.area_word
    plural = ev.dataset.source.areas_text(2).split(" ", 1)[1]
    if not word:
        return {**LEVEL_LABELS, "custom_build": "Custom list of districts",
                "custom_plural": "Districts"}
    return {**LEVEL_LABELS, "lad": word[0].upper() + word[1:],
            "custom_build": f"Custom list of {plural}",
            "custom_plural": plural[0].upper() + plural[1:]}


def _choose_area(ev: Evidence) -> None:
    session = get_session()
    areas = ev.areas()
    parents = _neighbourhood_parents(ev)
    levels = [lv for lv in LEVEL_LABELS if lv in set(areas["level"]) and lv != "country"]
    mode_options = levels + ["custom_build"]
    labels = level_labels(ev)
    current = parents.get(session.area_code or "", session.area_code)  # a neighbourhood's
    current_level = next((lv for lv in levels if current in
                          set(areas.loc[areas["level"] == lv, "area_code"])), levels[0])
    level = st.radio("Kind of area", mode_options, index=mode_options.index(current_level),
                     format_func=labels.__getitem__, horizontal=True, key="area_level")
    if level == "custom_build":
        districts = areas[areas["level"] == "lad"]
        names = dict(zip(districts["area_code"], districts["area_name"], strict=True))
        with st.form("custom_area"):
            name = st.text_input("Name of the custom area", value="My custom area")
            members = st.multiselect(labels["custom_plural"], list(names),
                                     format_func=names.__getitem__)
            if st.form_submit_button("Use this custom area") and members:
                session.use_custom_area(name, members)
                st.rerun()
        return
    subset = areas[areas["level"] == level]
    names = dict(zip(subset["area_code"], subset["area_name"], strict=True))
    codes = list(names)
    index = codes.index(current) if current in names else None
    picked = st.selectbox(labels[level], codes, index=index,
                          format_func=lambda c: f"{names[c]} ({c})",
                          placeholder="Choose an area...", key=f"area_pick_{level}")
    if picked and level == "lad" and parents:
        picked = _choose_neighbourhood(ev, picked, session.area_code, parents)
        names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    if picked and picked != session.area_code:
        session.choose_area(picked, names[picked])
        st.rerun()  # the sidebar, drawn before this page, must show the new area


def _area_suppression(session: StrategySession) -> None:
    """Suppressed cells for the chosen area only (not the whole file's count)."""
    p = session_profile(session)
    if p is None:
        return
    cells = [(r.label, r.suppressed_cells) for r in p.sectors if r.suppressed_cells]
    if cells:
        st.caption(f"Suppressed cells for {plain(p.area.name)}: "
                   + "; ".join(f"{name} {n}" for name, n in cells)
                   + ". Figures resting on them are marked as less certain.")
    else:
        st.caption(f"No suppressed cells for {plain(p.area.name)}.")


def _area_line(session: StrategySession, years: list[int], suffix: str = "") -> None:
    st.success(f"Area: **{plain(session.area_name)}** ({plain(session.area_code)}), "
               f"{session.period_start or years[0]}-{session.period_end or years[-1]}.{suffix}")


def _kept_area(session: StrategySession) -> None:
    """While an upload is pending (or was refused), the area and period the session still
    works on, so nobody wonders whether a bad file cost them their choice."""
    ev = try_evidence(session) if session.area_code else None
    if ev is not None:
        _area_line(session, ev.years, " It stays until a file is loaded.")
        next_button("data", "Next: evidence profile")


def render() -> None:
    session = get_session()
    if session.area_code is None:
        st.info("**New here?** Keep the bundled demo, pick a district below, then follow the "
                "**Next** buttons: each step asks one key policy question, and the last one "
                "downloads an option appraisal report. Your work is saved as you go.",
                icon=":material/lightbulb:")
    if not _choose_source():
        _kept_area(session)
        return
    ev = try_evidence(session)
    if ev is None:
        return
    synthetic_banner(ev)
    src = ev.dataset.source
    st.caption(reader_words(
        f"Data: {src.label()}. Years {ev.years[0]}-{ev.years[-1]}; "
        f"{src.areas_text(int((ev.cube.areas['level'] == 'lad').sum()))}. "
        f"Total jobs from: {ev.cube.total_basis}; national reference: "
        f"{ev.cube.national_basis}."))
    _load_report(ev)
    notes = ev.cube.notes + src.notes
    if notes:
        with st.expander("Details: notes on the data"):
            for note in notes:
                st.caption(reader_words(note))
    _choose_area(ev)
    years = ev.years
    if len(years) == 1:
        st.info(f"The data hold one year ({years[0]}): the profile is a snapshot (structure, "
                "LQs, concentration, comparators); growth measures need two years.")
    if len(years) >= 2:
        start, end = session.period_start or years[0], session.period_end or years[-1]
        st.markdown("**Analysis period**")
        c1, c2 = st.columns(2)  # two lists, not a range slider that prints each year twice
        chosen = (c1.selectbox("From", years, index=years.index(start) if start in years else 0,
                               key="period_from"),
                  c2.selectbox("To", years, index=years.index(end) if end in years
                               else len(years) - 1, key="period_to"))
        if chosen[0] < chosen[1]:
            session.period_start, session.period_end = int(chosen[0]), int(chosen[1])
        else:
            st.warning("The period must span at least two years; keeping "
                       f"{start}-{end}.")
    if session.area_code:
        _area_line(session, years)
        _area_suppression(session)
        next_button("data", "Next: evidence profile")
