"""The implementation tracker: ledger, commitment lifecycle, indicators (issue 15)."""
