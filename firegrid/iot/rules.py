"""The shipped alarm rules (data/alarm-rules-*.json), loaded by a migration and `sync_alarm_rules`,
and their evaluation: thresholds with debounce and hysteresis, events that raise and clear."""

import json
from dataclasses import dataclass
from pathlib import Path

RULES_FILE = Path(__file__).parent / "data" / "alarm-rules-2026.1.json"
FIELDS = (
    "device_kind",
    "metric",
    "operator",
    "threshold",
    "clear_threshold",
    "clear_event",
    "debounce",
    "alarm_kind",
    "message_zh",
    "message_en",
    "source",
    "evidence",
)


def shipped_rules():
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def sync_alarm_rules(model=None):
    """Add shipped rules that are missing; rules edited in the admin are kept as they are."""
    if model is None:
        from firegrid.iot.models import AlarmRule as model
    document = shipped_rules()
    created = 0
    for row in document["rules"]:
        defaults = {name: row[name] for name in FIELDS if name in row}
        defaults["version"] = document["version"]
        _obj, was_created = model.objects.get_or_create(code=row["code"], defaults=defaults)
        created += was_created
    return created


@dataclass
class Outcome:
    """What one reading did to one rule: raise (or fold into) the alarm, clear it, or nothing."""

    action: str  # "raise", "clear" or ""
    value: float | None = None


def evaluate(rule, state, values, events, overrides=None):
    """Apply one message to one rule. `state` ({"n": consecutive hits, "on": alarm up}) is updated
    in place; returns an Outcome."""
    overrides = overrides or {}
    on = bool(state.get("on"))
    if rule.operator == "event":
        if rule.metric in events:
            state["n"] = state.get("n", 0) + 1
            if on or state["n"] >= rule.debounce:
                state["on"] = True
                return Outcome("raise")
        elif on and rule.clear_event and rule.clear_event in events:
            state.update(n=0, on=False)
            return Outcome("clear")
        return Outcome("")
    value = values.get(rule.metric)
    if value is None:
        return Outcome("")
    threshold = overrides.get("threshold", rule.threshold)
    clear_at = overrides.get("clear_threshold", rule.clear_threshold)
    if clear_at is None:
        clear_at = threshold
    beyond = value > threshold if rule.operator == "gt" else value < threshold
    if beyond:
        state["n"] = state.get("n", 0) + 1
        if on or state["n"] >= rule.debounce:
            state["on"] = True
            return Outcome("raise", value)
        return Outcome("", value)
    state["n"] = 0
    back = value <= clear_at if rule.operator == "gt" else value >= clear_at
    if on and back:  # hysteresis: between threshold and clear_at the alarm stays up
        state["on"] = False
        return Outcome("clear", value)
    return Outcome("", value)
