"""Agreement documents: load, validate, lint, show, map, dump."""

from ceasefire.agreement.load import Agreement, load, load_with_problems, loads

__all__ = ["Agreement", "load", "load_with_problems", "loads"]
