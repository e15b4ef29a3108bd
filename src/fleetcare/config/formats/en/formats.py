"""English dates as every message of the system writes them (core.messages): "1 Dec 2026",
"1 Dec 2026 16:01"; Django's own English formats for the rest ("Dec. 1, 2026" was the
default, and pages mixed the two)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
