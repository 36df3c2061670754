"""The compliance engine: every incident against every clause, with reasons (issue 5).

Pipeline: ``facts`` turns incidents into columns, ``logic`` evaluates a
clause's checked predicate over them in three-valued logic, ``evaluate``
applies in-force windows, deadlines and evidence standards and yields
verdicts; ``reasons`` explains one verdict in structured and plain words.
"""

from __future__ import annotations
