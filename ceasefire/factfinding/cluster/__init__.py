"""Reports → incidents by space-time proximity, honouring precision and source.

Three modules, one job each: ``points`` (reports as arrays, the linking
scale, event-type compatibility and the pair tests), ``batch`` (the rule
applied to every report at once: ``cluster``) and ``incremental`` (one report
at a time: ``IncidentIndex``). The rule itself is written out in ``batch``.
Everything callers used from the former single module is re-exported here.
"""

from ceasefire.factfinding.cluster.batch import (
    Clustering,
    cluster,
    pair_vague,
    vague_candidates,
    vague_links,
)
from ceasefire.factfinding.cluster.incremental import (
    Attachment,
    IncidentIndex,
    incident_rows,
)
from ceasefire.factfinding.cluster.points import (
    COMPATIBLE,
    EARTH_RADIUS_M,
    FAMILIES,
    HARM,
    MATCH_TYPES,
    TYPE_CODE,
    VAGUE_WINDOW_S,
    Params,
    Points,
    compatible,
    ecef,
    match_type,
    points_from_bodies,
    precise_mask,
    time_window,
)
from ceasefire.model.vocabulary import PRECISION_SECONDS

__all__ = [
    "COMPATIBLE",
    "EARTH_RADIUS_M",
    "FAMILIES",
    "HARM",
    "MATCH_TYPES",
    "PRECISION_SECONDS",
    "TYPE_CODE",
    "VAGUE_WINDOW_S",
    "Attachment",
    "Clustering",
    "IncidentIndex",
    "Params",
    "Points",
    "cluster",
    "compatible",
    "ecef",
    "incident_rows",
    "match_type",
    "pair_vague",
    "points_from_bodies",
    "precise_mask",
    "time_window",
    "vague_candidates",
    "vague_links",
]
