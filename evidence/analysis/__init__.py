"""Analytics on area x class arrays: relatedness, variety, shift-share, supply chains, space.

Public API::

    from evidence.analysis import relatedness_space, feasible_next, variety, esteban_marquillas
    space = relatedness_space(emp, classes)            # emp [areas, classes]; LQ, phi, density
    nxt = feasible_next(space, area, candidate_classes)   # LQ < 1, ranked by density
    v = variety(emp, classes)                           # v.total == v.related + v.unrelated
    em = esteban_marquillas(start, end, area_total)     # homothetic competitive + allocation
    prof = supply_chain_profile("aerospace", ["3030"], emp_io, nat_io)   # ONS IO 2019, FLQ
    sa = spatial_association(lq_by_district, centroids) # kNN Moran's I and LISA (as esda 2.9)
    classify_district(sa, "E06000001").text
"""

from evidence.analysis.esteban_marquillas import (
    EstebanMarquillas,
    esteban_marquillas,
    homothetic_employment,
)
from evidence.analysis.relatedness import (
    FeasibleClass,
    FeasibleTable,
    RelatedClass,
    RelatednessSpace,
    association_strength,
    class_lq,
    feasible_next,
    feasible_next_all,
    presence,
    proximity,
    relatedness_density,
    relatedness_space,
)
from evidence.analysis.spatial import (
    ClusterFinding,
    SpatialAssociation,
    classify_district,
    knn_weights,
    morans_i,
    spatial_association,
)
from evidence.analysis.supply_chain import (
    IOTables,
    aggregate_to_io,
    cilq,
    flq,
    load_io_tables,
    regional_coefficients,
    regional_multipliers,
    simple_lq,
    supply_chain_profile,
    top_buyers,
    top_suppliers,
    type_i_output_multipliers,
)
from evidence.analysis.variety import Variety, entropy, variety

__all__ = [
    "ClusterFinding", "EstebanMarquillas", "FeasibleClass", "FeasibleTable", "IOTables",
    "RelatedClass", "RelatednessSpace", "SpatialAssociation", "Variety", "aggregate_to_io",
    "association_strength", "cilq", "class_lq", "classify_district", "entropy",
    "esteban_marquillas", "feasible_next", "feasible_next_all", "flq", "homothetic_employment",
    "knn_weights",
    "load_io_tables", "morans_i", "presence", "proximity", "regional_coefficients",
    "regional_multipliers", "relatedness_density", "relatedness_space", "simple_lq",
    "spatial_association", "supply_chain_profile", "top_buyers", "top_suppliers",
    "type_i_output_multipliers", "variety",
]
