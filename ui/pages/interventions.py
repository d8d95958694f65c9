"""Step 5: candidate interventions - why and why not, and the user's choice and order."""

from __future__ import annotations

import json
import re
from functools import partial

import pandas as pd
import streamlit as st

from policy.catalogue import Intervention, load_catalogue
from policy.labels import condition_words, in_words, label, needs_words, word
from rules.results import FiredRule, Recommendation, Recommendations
from ui.state import get_session, session_recommendations
from ui.widgets import advice_block, lazy_expander, lazy_tabs, need_area, next_button, plain

DEFAULT_CHOSEN = 5
TAB_KEY = "interventions_tab"
"""Session-state key of the open tab (only its content is drawn: :func:`ui.widgets.lazy_tabs`)."""
NO_PRIORITY = "\u2013"
"""The Priority cell of a row not chosen (an en dash)."""
NOT_PICKED = "no rule picked it"
"""The Rule score cell of an intervention no rule recommended (the grid draws a missing number
as "None")."""
_UNDER_FLOOR = re.compile(r"scores ([0-9.]+), under the floor of ([0-9.]+)")
"""How the rules engine says a fired rule's intervention scored under the floor."""


def score_cells(recs: Recommendations) -> dict[str, str]:
    """Each intervention's Rule score in words: the score of a recommended one ("0.95"), the
    score of one whose rule fired but scored under the floor ("0.47, under the 0.5 floor"),
    and :data:`NOT_PICKED` for the rest - text, so the grid never shows "None"."""
    cells = {r.intervention: f"{r.score:.2f}" for r in recs.recommended}
    for nr in recs.not_recommended:
        found = [m for why in nr.why if (m := _UNDER_FLOOR.search(why))]
        if found and nr.intervention not in cells:
            best = max(found, key=lambda m: float(m.group(1)))
            cells[nr.intervention] = (f"{float(best.group(1)):.2f}, under the "
                                      f"{float(best.group(2)):g} floor")
    return cells


def choice_table(recs: Recommendations, catalogue: dict[str, Intervention],
                 chosen: list[str]) -> pd.DataFrame:
    """One row per catalogue intervention: the chosen ones first in priority order, then the
    other recommended ones in rank order, then those a rule fired for but that scored under
    the floor (highest first), then the rest. Priority is text ("1", "2", ... or
    :data:`NO_PRIORITY`) so an unchosen row shows a dash, never "None" (the grid draws an empty
    choice as "None")."""
    scores = {r.intervention: r.score for r in recs.recommended}
    cells = score_cells(recs)
    weak = sorted((i for i in cells if i not in scores and i in catalogue),
                  key=lambda i: (-float(cells[i].split(",")[0]), i))
    ranked = recs.ids() + weak + sorted(i for i in catalogue if i not in scores
                                        and i not in weak)
    order = [i for i in chosen if i in catalogue] + [i for i in ranked if i not in chosen]
    rows = []
    for iid in order:
        item = catalogue[iid]
        rows.append({
            "Choose": iid in chosen,
            "Priority": str(chosen.index(iid) + 1) if iid in chosen else NO_PRIORITY,
            "Intervention": item.name,
            "Rule score": cells.get(iid, NOT_PICKED),
            "Target": label("target_type", item.target_type),
            "Cost GBP m": f"{item.cost.low_gbp_m:g}-{item.cost.high_gbp_m:g} "
                          f"({label('cost_basis', item.cost.basis)})",
            "Years to impact": f"{item.time_to_impact_years.low}-"
                               f"{item.time_to_impact_years.high}",
            "Evidence": label("evidence_strength", item.evidence.strength),
            "id": iid,
        })
    return pd.DataFrame(rows)


def apply_choice(edited: pd.DataFrame, previous: list[str] | None = None) -> list[str]:
    """Chosen ids in the user's priority order, numbered 1..n with no two sharing a place.

    A row given a priority another row holds takes that place and the other moves down one;
    ticked rows without a priority go last, in table order."""
    previous = previous or []
    picked = edited[edited["Choose"]]
    keys = []
    for row, (iid, prio) in enumerate(zip(picked["id"], picked["Priority"], strict=True)):
        text = str(prio).strip() if prio is not None and prio == prio else ""
        place = int(text) if text.isdigit() and int(text) > 0 else 10_000
        moved = iid not in previous or previous.index(iid) + 1 != place
        keys.append((place, 0 if moved else 1, row, iid))
    return [k[-1] for k in sorted(keys)]


def _trace_lines(fired: FiredRule) -> str:
    """The rule's tests as a numbered Markdown list: text in the rule's own block, not a data
    grid each (a page drew some 30 grids and 14 JSON viewers inside closed expanders, the
    slowest page in the browser)."""
    return "\n".join(f"{i}. {plain(condition_words(c))}: "
                     f"**{plain(label('result', str(c.result).lower()))}**"
                     for i, c in enumerate(fired.conditions, start=1))


def why_block(rec: Recommendation, catalogue: dict[str, Intervention]) -> None:
    item = catalogue.get(rec.intervention)
    title = item.name if item else word(rec.intervention)
    lazy_expander(f"Why {title}? (score {rec.score:.2f}; "
                  f"{', '.join(word(r) for r in rec.rationales)})", f"why_{rec.intervention}",
                  partial(why_text, rec, item))


def why_text(rec: Recommendation, item: Intervention | None) -> None:
    """Each rule that fired for ``rec``, its tests, and the intervention's evidence."""
    for fired in rec.trace:
        st.markdown(f"**{fired.title}** (rationale: {word(fired.rationale).lower()}; "
                    f"{needs_words(fired)})  \n{fired.why}\n\n{_trace_lines(fired)}")
    if item is not None:
        st.caption(f"Evidence ({label('evidence_strength', item.evidence.strength)}): "
                   f"{item.evidence.note}")
    lazy_expander("Details: rule ids and raw tests", f"why_raw_{rec.intervention}",
                  lambda: st.code(json.dumps([{"rule": f.rule, "conditions": [
                      c.model_dump(mode="json") for c in f.conditions]} for f in rec.trace],
                      indent=2), language="json"))


def why_tab(recs: Recommendations, catalogue: dict[str, Intervention]) -> None:
    for rec in recs.recommended:
        why_block(rec, catalogue)


def why_not_tab(recs: Recommendations, catalogue: dict[str, Intervention]) -> None:
    for nr in recs.not_recommended:
        name = catalogue[nr.intervention].name if nr.intervention in catalogue \
            else nr.intervention
        st.markdown(f"**{name}**")
        for reason in nr.why:
            st.markdown(f"- {in_words(reason)}")


def render() -> None:
    if need_area():
        return
    session = get_session()
    recs = session_recommendations(session)
    if recs is None:
        return
    advice_block(recs)
    catalogue = load_catalogue()
    if not session.chosen_interventions and "interventions_initialised" not in session.answers:
        session.chosen_interventions = recs.ids()[:DEFAULT_CHOSEN]
        session.answers["interventions_initialised"] = True
    st.caption(f"{len(recs.recommended)} of {len(catalogue)} interventions have support from at "
               "least one rule on this area's evidence, ranked by the strength of that support "
               "(the top five are chosen to start with). Tick to choose, untick to drop, and "
               "number the priority to reorder. You may add interventions the rules did not "
               "pick.")
    table = choice_table(recs, catalogue, session.chosen_interventions)
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="choice_editor",
        disabled=[c for c in table.columns if c not in ("Choose", "Priority")],
        column_config={
            "id": None,
            "Priority": st.column_config.SelectboxColumn(
                options=[NO_PRIORITY] + [str(i) for i in range(1, len(table) + 1)],
                help="1 = first; give a row a number another holds and that one moves down"),
            "Rule score": st.column_config.TextColumn(
                help="the strength of the rules' support; under the floor, a rule fired but "
                     "the evidence was too weak to recommend it"),
        },
    )
    chosen = apply_choice(edited, session.chosen_interventions)
    if chosen != session.chosen_interventions:
        session.chosen_interventions = chosen
        session.dropped_interventions = [i for i in recs.ids() if i not in chosen]
        st.session_state.pop("choice_editor", None)  # redraw: re-sorted, numbered 1..n
        st.rerun()
    names = [catalogue[i].name for i in session.chosen_interventions]
    st.success("Chosen, in order: " + ("; ".join(names) if names else "none yet"))
    lazy_tabs({"Why recommended": lambda: why_tab(recs, catalogue),
               "Why not the others": lambda: why_not_tab(recs, catalogue)}, key=TAB_KEY)
    next_button("interventions", "Next: aims and causal chain")
