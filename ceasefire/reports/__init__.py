"""Published reports built from the log: the daily report (issue 8)."""
