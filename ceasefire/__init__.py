"""ceasefire: turn a cease-fire or peace agreement into code and monitor it."""

from ceasefire.agreement import Agreement, load, loads
from ceasefire.errors import AgreementError, CeasefireError, Problem

__version__ = "0.1.0"

__all__ = [
    "Agreement",
    "AgreementError",
    "CeasefireError",
    "Problem",
    "__version__",
    "load",
    "loads",
]
