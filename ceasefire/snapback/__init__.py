"""Snapback: pre-agreed penalties that fire by themselves (issue 7).

``engine`` is a pure function of confirmed breaches, appeals, the agreement's
penalty rules and an evaluation time; ``inputs`` reads those from the log;
``record`` writes each state change back to the log as a ``penalty_state``
entry with its reasons.
"""
