"""The XLSForm we ship for field monitors (``forms/monitor-report.xlsx``), as data.

One source for three things: ``scripts/make_monitor_form.py`` writes the
spreadsheet and the table in docs/monitor-form.md from it, and the
KoboToolbox/ODK importer (``ceasefire/io/kobo.py``) reads submissions by
these names. The choice lists are our vocabularies, so a form answer is
always a valid report value.
"""

from __future__ import annotations

from ceasefire.model.vocabulary import EVENT_TYPES, TARGET_CATEGORIES, WEAPON_CLASSES

FORM_ID = "ceasefire_monitor_report"
FORM_TITLE = "Ceasefire monitor report"
VERSION = "2026113001"

SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "required", "constraint",
    "constraint_message", "relevant", "default", "appearance",
)  # fmt: skip

WEAPONS = "${event_type} != 'troop_presence' and ${event_type} != 'movement_restricted'"
HARM = "${event_type} != 'troop_presence'"

# (type, name, label, hint, required, constraint, constraint message, relevant,
#  default, appearance)
SURVEY: tuple[tuple[str, ...], ...] = (
    ("start", "start", "", "", "", "", "", "", "", ""),
    ("end", "end", "", "", "", "", "", "", "", ""),
    ("begin_group", "team", "Monitoring team", "", "", "", "", "", "", "field-list"),
    ("text", "team_id", "Team call sign", "As on the patrol order, e.g. DON-07",
     "yes", "", "", "", "", ""),
    ("text", "monitor", "Your name or monitor ID", "", "", "", "", "", "", ""),
    ("end_group", "", "", "", "", "", "", "", "", ""),
    ("begin_group", "event", "What you observed", "", "", "", "", "", "", ""),
    ("dateTime", "observed_at", "When did it happen (or start)?", "", "yes",
     ". <= now()", "Cannot be in the future", "", "", ""),
    ("dateTime", "observed_until", "When did it end?", "Leave empty if ongoing or a single moment",
     "", ". >= ${observed_at}", "Must be after the start", "", "", ""),
    ("select_one time_precision", "time_precision", "How exact is that time?", "",
     "yes", "", "", "", "minute", ""),
    ("select_one event_type", "event_type", "What happened?", "", "yes", "", "",
     "", "", ""),
    ("select_one weapon_class", "weapon_class", "Weapon", "If seen or heard", "",
     "", "", WEAPONS, "", ""),
    ("integer", "weapon_count", "How many rounds, launches or weapons?", "", "",
     ". >= 1", "At least 1", "${weapon_class} != ''", "1", ""),
    ("decimal", "direction_deg", "Direction the fire came from (degrees from north)",
     "0 = from the north, 90 = from the east", "", ". >= 0 and . < 360",
     "0 to 359.9", WEAPONS, "", ""),
    ("select_one target_category", "target_category", "What was hit or threatened?",
     "", "", "", "", "", "", ""),
    ("text", "narrative", "Describe what you saw and heard", "", "yes", "", "", "",
     "", "multiline"),
    ("end_group", "", "", "", "", "", "", "", "", ""),
    ("begin_group", "place", "Where", "", "", "", "", "", "", ""),
    ("geopoint", "location", "Position of the event (or yours)", "Wait for a good GPS accuracy",
     "yes", "", "", "", "", ""),
    ("integer", "distance_m", "Distance from the position above to the event (m)",
     "Leave empty if the position is the event itself", "", ". >= 0", "0 or more",
     "", "", ""),
    ("text", "place_name", "Nearest settlement or landmark", "", "", "", "", "", "",
     ""),
    ("end_group", "", "", "", "", "", "", "", "", ""),
    ("begin_group", "harm", "People harmed", "As seen or as reliably told", "", "",
     "", HARM, "", "field-list"),
    ("integer", "killed", "Killed (all)", "", "", ". >= 0", "0 or more", "", "", ""),
    ("integer", "injured", "Injured (all)", "", "", ". >= 0", "0 or more", "", "", ""),
    ("integer", "civilians_killed", "Of them civilians killed", "", "",
     ". >= 0 and . <= ${killed}", "Not more than all killed", "", "", ""),
    ("integer", "civilians_injured", "Of them civilians injured", "", "",
     ". >= 0 and . <= ${injured}", "Not more than all injured", "", "", ""),
    ("end_group", "", "", "", "", "", "", "", "", ""),
    ("image", "photo", "Photo", "Optional; the original file is the evidence", "",
     "", "", "", "", ""),
)  # fmt: skip

TIME_PRECISIONS = ("minute", "hour", "day")


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def choices() -> list[tuple[str, str, str]]:
    """(list_name, name, label) rows of the choices sheet."""
    lists = {
        "time_precision": TIME_PRECISIONS,
        "event_type": EVENT_TYPES,
        "weapon_class": WEAPON_CLASSES,
        "target_category": TARGET_CATEGORIES,
    }
    return [
        (list_name, n, _label(n)) for list_name, names in lists.items() for n in names
    ]


def fields() -> dict[str, str]:
    """Question name → its group path as exports write it ("event/event_type")."""
    paths: dict[str, str] = {}
    groups: list[str] = []
    for kind, name, *_ in SURVEY:
        if kind == "begin_group":
            groups.append(name)
        elif kind == "end_group":
            groups.pop()
        else:
            paths[name] = "/".join([*groups, name])
    return paths
