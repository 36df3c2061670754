"""Text from files, made safe to print: control characters shown, not obeyed (issue 14).

A quarantine reason or a file's own text can carry terminal escape codes
(``ESC[2J`` clears the screen, OSC 8 forges links); printed raw, a data file
would drive the operator's terminal.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """``text`` with every control character (but newline and tab) as a visible escape."""
    return _CONTROL.sub(
        lambda m: m.group().encode("unicode_escape").decode("ascii"), text
    )
