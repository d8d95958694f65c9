"""Supply chains from the ONS input-output tables, and regional Type I multipliers by FLQ.

Data: ONS UK input-output analytical tables 2019, industry by industry (105 industries; domestic
use at basic prices), vendored into ``evidence/data/io/`` by ``scripts/vendor_io_tables.py``
(Open Government Licence v3.0). Definitions:

- direct requirement (technical) coefficient a_ij = Z_ij / X_j: domestic purchases from industry
  i per unit of industry j's output (Leontief 1936; Miller and Blair 2009, ch. 2)
- output (allocation) coefficient b_ij = Z_ij / X_i = a_ij X_j / X_i: share of i's output sold
  to industry j as intermediate input (Ghosh 1958; Miller and Blair 2009, sec. 12.1)
- simple location quotient SLQ_i = (E_ir / E_r) / (E_in / E_n); cross-industry LQ
  CILQ_ij = SLQ_i / SLQ_j, with CILQ_ii = SLQ_i on the diagonal (Flegg, Webber and Elliott 1995)
- Flegg location quotient FLQ_ij = CILQ_ij * lambda, lambda = [log2(1 + E_r / E_n)]^delta,
  delta = 0.3 by default (Flegg and Webber 1997, Regional Studies 31(8); 0.3 is their and
  Bonfiglio and Chelli's 2008 recommended value; pass another ``delta`` to change it)
- regional coefficients a^r_ij = a_ij * min(FLQ_ij, 1)
- Type I output multiplier of j = column sum j of the Leontief inverse (I - A)^-1 (Miller and
  Blair 2009, sec. 6.2)

A sector given as several SIC classes that fall into several IO industries is treated as their
sum: its coefficients are sum_{j in S} Z_ij / sum_{j in S} X_j and its output shares
sum_{i in S} Z_ij / sum_{i in S} X_i; its multiplier is the output-weighted mean of its
industries' multipliers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from evidence.positions import first_positions

DEFAULT_DELTA = 0.3
"""Flegg and Webber (1997) sensitivity parameter delta of the FLQ."""


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(np.isfinite(out), out, np.nan)


@dataclass(frozen=True)
class IOTables:
    """The national input-output tables as arrays over the 105 industries (ONS order)."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    a: np.ndarray  # [N, N] a_ij, supplier rows, buyer columns
    output: np.ndarray  # [N] X_j, GBP million
    totals: pd.DataFrame  # io_totals.csv
    industries: pd.DataFrame  # io_industries.csv
    sic_map: dict[str, str]  # 4-digit SIC class -> IO industry code

    def index(self, code: str) -> int:
        try:
            return self._positions[code]
        except KeyError:
            raise KeyError(f"IO industry {code!r} is not in the tables") from None

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Each code's position (the first, as ``tuple.index``): profiles look up thousands."""
        return first_positions(self.codes)

    @property
    def flows(self) -> np.ndarray:
        """Z_ij = a_ij X_j, domestic intermediate flows in GBP million."""
        return self.a * self.output[None, :]


def _read(name: str) -> pd.DataFrame:
    text = resources.files("evidence").joinpath(f"data/io/{name}").read_text("utf-8")
    return pd.read_csv(StringIO(text), dtype={"sic": str, "code": str})


@lru_cache(maxsize=1)
def load_io_tables() -> IOTables:
    """Load (once) the vendored ONS 2019 IO tables from ``evidence/data/io``."""
    industries = _read("io_industries.csv")
    totals = _read("io_totals.csv")
    coef = _read("io_coefficients.csv")
    smap = _read("io_sic_map.csv")
    codes = tuple(industries["code"])
    pos = {c: i for i, c in enumerate(codes)}
    a = np.zeros((len(codes), len(codes)))
    a[coef["supplier_industry"].map(pos).to_numpy(), coef["buyer_industry"].map(pos).to_numpy()] = (
        coef["coefficient"].to_numpy(dtype=float)
    )
    output = totals.set_index("code").loc[list(codes), "output"].to_numpy(dtype=float)
    return IOTables(
        codes=codes, names=tuple(industries["name"]), a=a, output=output, totals=totals,
        industries=industries, sic_map=dict(zip(smap["sic"], smap["io_industry"], strict=True)),
    )


def _norm_sic(code: str) -> str:
    return str(code).replace(".", "").strip()


def io_industries_for(sic_classes: Iterable[str], tables: IOTables | None = None) -> list[str]:
    """IO industries that the 4-digit SIC classes fall in, in ONS order (dots in codes ignored)."""
    t = tables or load_io_tables()
    hits = {t.sic_map[c] for c in map(_norm_sic, sic_classes) if c in t.sic_map}
    return [c for c in t.codes if c in hits]


def _mask(t: IOTables, industries: Sequence[str]) -> np.ndarray:
    m = np.zeros(len(t.codes), dtype=bool)
    m[[t.index(c) for c in industries]] = True
    if not m.any():
        raise ValueError("no IO industry given")
    return m


def sector_input_coefficients(t: IOTables, industries: Sequence[str]) -> np.ndarray:
    """a_iS = sum_{j in S} Z_ij / sum_{j in S} X_j: domestic inputs from i per unit of output."""
    m = _mask(t, industries)
    return _div(t.flows[:, m].sum(axis=1), np.asarray(t.output[m].sum()))


def sector_output_shares(t: IOTables, industries: Sequence[str]) -> np.ndarray:
    """b_Sj = sum_{i in S} Z_ij / sum_{i in S} X_i: share of S's output bought by industry j."""
    m = _mask(t, industries)
    return _div(t.flows[m, :].sum(axis=0), np.asarray(t.output[m].sum()))


def _top(values: np.ndarray, n: int, exclude: np.ndarray | None = None) -> list[int]:
    v = np.nan_to_num(values, nan=0.0).copy()
    if exclude is not None:
        v[exclude] = 0.0
    idx = np.flatnonzero(v > 0)
    return [int(i) for i in idx[np.lexsort((idx, -v[idx]))][:n]]


def top_suppliers(
    t: IOTables, industries: Sequence[str], n: int = 10, exclude_self: bool = False
) -> list[tuple[str, float]]:
    """Top-n domestic supplier industries by direct requirement coefficient a_iS."""
    coef = sector_input_coefficients(t, industries)
    keep = _top(coef, n, _mask(t, industries) if exclude_self else None)
    return [(t.codes[i], float(coef[i])) for i in keep]


def top_buyers(
    t: IOTables, industries: Sequence[str], n: int = 10, exclude_self: bool = False
) -> list[tuple[str, float]]:
    """Top-n intermediate buyer industries by share of the sector's output sold to them (b_Sj)."""
    share = sector_output_shares(t, industries)
    keep = _top(share, n, _mask(t, industries) if exclude_self else None)
    return [(t.codes[i], float(share[i])) for i in keep]


def aggregate_to_io(
    emp: np.ndarray, classes: Sequence[str], tables: IOTables | None = None
) -> np.ndarray:
    """Sum SIC-class employment ``[..., C]`` into IO industries ``[..., N]`` via the SIC map.

    Classes not in the map (e.g. 98xx, 99xx, or codes that are not 4-digit classes) are dropped.
    NaN counts as 0.
    """
    t = tables or load_io_tables()
    pos = {c: i for i, c in enumerate(t.codes)}
    target = np.array([pos.get(t.sic_map.get(_norm_sic(c), ""), -1) for c in classes])
    onehot = np.zeros((len(classes), len(t.codes)))
    ok = target >= 0
    onehot[np.flatnonzero(ok), target[ok]] = 1.0
    return np.nan_to_num(np.asarray(emp, dtype=float)) @ onehot


def simple_lq(
    emp: np.ndarray,
    nat: np.ndarray,
    area_total: np.ndarray | float | None = None,
    nat_total: float | None = None,
) -> np.ndarray:
    """SLQ_i = (E_ir / E_r) / (E_in / E_n) over the last axis (totals default to the sums)."""
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    n = np.nan_to_num(np.asarray(nat, dtype=float))
    e_r = e.sum(axis=-1, keepdims=True) if area_total is None else (
        np.asarray(area_total, dtype=float)[..., None])
    e_n = n.sum() if nat_total is None else float(nat_total)
    return _div(_div(e, e_r), _div(n, np.asarray(e_n)))


def cilq(slq: np.ndarray) -> np.ndarray:
    """CILQ_ij = SLQ_i / SLQ_j with SLQ_i on the diagonal, ``[..., N]`` -> ``[..., N, N]``.

    Cross-industry LQ (Flegg, Webber and Elliott 1995; Miller and Blair 2009, sec. 8.3). A buyer
    absent from the area (SLQ_j = 0) gives +inf, i.e. no regional adjustment (min(FLQ, 1) = 1);
    an unknown SLQ (NaN) is read as 0: no local supply.
    """
    s = np.nan_to_num(np.asarray(slq, dtype=float), nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = s[..., :, None] / s[..., None, :]
    out = np.where(np.isnan(out), 0.0, out)  # 0 / 0: neither industry is there
    n = s.shape[-1]
    diag = np.arange(n)
    out[..., diag, diag] = s
    return out


def flq_lambda(area_total: np.ndarray | float, nat_total: float, delta: float = DEFAULT_DELTA):
    """lambda = [log2(1 + E_r / E_n)]^delta (Flegg and Webber 1997); in (0, 1] for delta >= 0."""
    return np.power(np.log2(1.0 + np.asarray(area_total, dtype=float) / float(nat_total)), delta)


def flq(
    emp: np.ndarray,
    nat: np.ndarray,
    area_total: np.ndarray | float | None = None,
    nat_total: float | None = None,
    delta: float = DEFAULT_DELTA,
) -> np.ndarray:
    """FLQ_ij = CILQ_ij * lambda for one area ``[N]`` or many ``[A, N]`` -> ``[..., N, N]``."""
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    n = np.nan_to_num(np.asarray(nat, dtype=float))
    e_r = e.sum(axis=-1) if area_total is None else np.asarray(area_total, dtype=float)
    e_n = float(n.sum()) if nat_total is None else float(nat_total)
    lam = np.asarray(flq_lambda(e_r, e_n, delta))
    return cilq(simple_lq(e, n, e_r, e_n)) * lam[..., None, None]


def regional_coefficients(a: np.ndarray, flq_values: np.ndarray) -> np.ndarray:
    """a^r_ij = a_ij * min(FLQ_ij, 1) (Flegg and Webber 1997); broadcasts over leading axes."""
    return np.asarray(a, dtype=float) * np.minimum(flq_values, 1.0)


def type_i_output_multipliers(a: np.ndarray) -> np.ndarray:
    """Column sums of the Leontief inverse (I - A)^-1: ``[..., N, N]`` -> ``[..., N]``.

    Computed without forming the inverse: m' = 1'(I - A)^-1 solves (I - A)' m = 1.

    LAPACK runs on one thread here. Each system is small (105 x 105 for the ONS tables) and
    an area is one of hundreds in the batch: OpenBLAS's threads do not pay for themselves on
    matrices this size - the batch of 409 areas took 0.3-1.2 s CPU with them on a busy
    2-core machine against 30-70 ms on one thread - and on one thread the last bits of each
    multiplier no longer depend on how many cores the machine has.
    """
    a = np.asarray(a, dtype=float)
    lhs = np.swapaxes(np.eye(a.shape[-1]) - a, -1, -2)
    ones = np.ones(a.shape[:-1] + (1,))
    with _blas().limit(limits=1, user_api="blas"):
        return np.linalg.solve(lhs, ones)[..., 0]


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The process's BLAS libraries (looked up once: a lookup takes ~10 ms)."""
    return ThreadpoolController()


def regional_multipliers(
    emp_io: np.ndarray,
    nat_io: np.ndarray,
    tables: IOTables | None = None,
    area_total: np.ndarray | float | None = None,
    nat_total: float | None = None,
    delta: float = DEFAULT_DELTA,
) -> np.ndarray:
    """Type I output multipliers from FLQ-regionalised national coefficients, ``[..., N]``.

    ``emp_io`` is area employment by IO industry (``[N]`` or ``[A, N]``, see
    :func:`aggregate_to_io`), ``nat_io`` the national one. All areas are inverted in one batch.
    """
    t = tables or load_io_tables()
    return type_i_output_multipliers(_regional_coefficients(t.a, emp_io, nat_io, area_total,
                                                            nat_total, delta))


def _regional_coefficients(a: np.ndarray, emp: np.ndarray, nat: np.ndarray,
                           area_total: np.ndarray | float | None, nat_total: float | None,
                           delta: float) -> np.ndarray:
    """``regional_coefficients(a, flq(emp, nat, area_total, nat_total, delta))``, the same
    operations on the same values in one ``[..., N, N]`` buffer instead of five: for a batch
    of areas the temporaries, not the arithmetic, were most of the time."""
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    n = np.nan_to_num(np.asarray(nat, dtype=float))
    e_r = e.sum(axis=-1) if area_total is None else np.asarray(area_total, dtype=float)
    e_n = float(n.sum()) if nat_total is None else float(nat_total)
    lam = np.asarray(flq_lambda(e_r, e_n, delta))
    s = np.nan_to_num(simple_lq(e, n, e_r, e_n), nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = s[..., :, None] / s[..., None, :]  # CILQ (cilq)
    out[np.isnan(out)] = 0.0
    diag = np.arange(s.shape[-1])
    out[..., diag, diag] = s
    out *= lam[..., None, None]  # FLQ (flq)
    np.minimum(out, 1.0, out=out)
    np.multiply(np.asarray(a, dtype=float), out, out=out)  # a_ij min(FLQ_ij, 1)
    return out


def _weighted_multiplier(t: IOTables, mult: np.ndarray, m: np.ndarray) -> float:
    w = t.output[m]
    return float((mult[m] * w).sum() / w.sum()) if w.sum() > 0 else float(np.mean(mult[m]))


def supply_chain_profile(
    sector: str,
    sic_classes: Iterable[str],
    emp_io: np.ndarray | None = None,
    nat_io: np.ndarray | None = None,
    n: int = 5,
    delta: float = DEFAULT_DELTA,
    tables: IOTables | None = None,
    area_total: float | None = None,
    nat_total: float | None = None,
) -> dict[str, Any]:
    """A sector's supply chain as JSON-ready data, for one area if its employment is given.

    ``emp_io``/``nat_io``: the area's and the nation's employment by IO industry ``[N]``; with
    them, each supplier carries its local LQ (SLQ) and the multiplier is the FLQ-regionalised
    Type I output multiplier; without them, ``local_lq`` is None and the multiplier is national.
    ``io_industry`` is the list of IO industry codes. Returns ``{"sector", "io_industry",
    "suppliers": [{"industry", "name", "coefficient", "local_lq"}],
    "buyers": [{"industry", "name", "share", "local_lq"}], "multiplier": {"type_i", "method"}}``.
    """
    t = tables or load_io_tables()
    inds = io_industries_for(sic_classes, t)
    if not inds:
        raise ValueError(f"no IO industry covers the SIC classes of {sector!r}")
    m = _mask(t, inds)
    local = emp_io is not None and nat_io is not None
    lq = simple_lq(emp_io, nat_io, area_total, nat_total) if local else None

    def lq_of(i: int) -> float | None:
        if lq is None or np.isnan(lq[i]):
            return None
        return round(float(lq[i]), 4)

    suppliers = [
        {"industry": c, "name": t.names[t.index(c)], "coefficient": round(v, 6),
         "local_lq": lq_of(t.index(c))}
        for c, v in top_suppliers(t, inds, n)
    ]
    buyers = [
        {"industry": c, "name": t.names[t.index(c)], "share": round(v, 6),
         "local_lq": lq_of(t.index(c))}
        for c, v in top_buyers(t, inds, n)
    ]
    if local:
        mult = regional_multipliers(emp_io, nat_io, t, area_total, nat_total, delta)
        method = (
            f"Type I output multiplier, column sum of (I - A_r)^-1 with a^r_ij = a_ij "
            f"min(FLQ_ij, 1), FLQ delta = {delta} (Flegg and Webber 1997), from ONS UK "
            "input-output analytical tables 2019 (domestic use, industry by industry)"
        )
    else:
        mult = type_i_output_multipliers(t.a)
        method = (
            "Type I output multiplier, column sum of (I - A)^-1, national, from ONS UK "
            "input-output analytical tables 2019 (domestic use, industry by industry)"
        )
    if len(inds) > 1:
        method += "; output-weighted mean over the sector's IO industries"
    return {
        "sector": sector,
        "io_industry": inds,
        "suppliers": suppliers,
        "buyers": buyers,
        "multiplier": {"type_i": round(_weighted_multiplier(t, mult, m), 4), "method": method},
    }
