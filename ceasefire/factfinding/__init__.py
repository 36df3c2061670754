"""Fact-finding: reports clustered into incidents, corroborated, reviewed, published.

Other modules use ``incidents_of(store)``: every incident (the automatic
clustering plus the analysts' merges and splits), each with its reports,
representative place and time, independent-source count and state.
"""

from ceasefire.factfinding.cluster import Params
from ceasefire.factfinding.incidents import Incident, incidents_of

__all__ = ["Incident", "Params", "incidents_of"]
