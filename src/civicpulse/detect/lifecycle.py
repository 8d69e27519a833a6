"""The alert lifecycle and how analysts' feedback tunes per-topic sensitivity.

Status moves new → acknowledged → case_opened | dismissed (new may go straight to either end). Marking an
alert `noise` raises its scope's threshold by `NOISE_STEP` (x1.15), `useful` lowers it by `USEFUL_STEP`
(x0.95); the adjustment stays within [`MIN_ADJUSTMENT`, `MAX_ADJUSTMENT`] and multiplies the preset's factor
(low 1.3, normal 1.0, high 0.75). A topic that keeps producing noise so needs a clearer burst to alert again.
"""

from __future__ import annotations

from typing import Any

from civicpulse.detect.score import PRESETS
from civicpulse.errors import InputError
from civicpulse.store.detection import DetectionTables

STATUSES = ("new", "acknowledged", "case_opened", "dismissed")
MOVES: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "case_opened", "dismissed"),
    "acknowledged": ("case_opened", "dismissed"),
    "case_opened": (),
    "dismissed": (),
}
FEEDBACK = ("useful", "noise")
NOISE_STEP, USEFUL_STEP = 1.15, 0.95
MIN_ADJUSTMENT, MAX_ADJUSTMENT = 0.6, 2.0


def multiplier(row: dict[str, Any] | None) -> float:
    """Return the threshold multiplier of a scope: its preset's factor times its feedback adjustment."""
    if row is None:
        return 1.0
    return PRESETS.get(str(row["preset"]), 1.0) * float(row["adjustment"])


def move(tables: DetectionTables, alert_id: int, status: str, actor: str = "") -> dict[str, Any]:
    """Move an alert to `status`; raise `InputError` saying which moves are allowed otherwise."""
    alert = _alert(tables, alert_id)
    if status not in MOVES[alert["status"]]:
        allowed = ", ".join(MOVES[alert["status"]]) or "none (it is closed)"
        raise InputError(f"alert {alert_id} is {alert['status']}; it can move to: {allowed}")
    tables.set_alert(alert_id, status, actor, status=status)
    return {**alert, "status": status}


def give_feedback(tables: DetectionTables, alert_id: int, verdict: str, actor: str = "") -> float:
    """Record `useful` or `noise` on an alert and tune its scope's sensitivity; return the new adjustment."""
    if verdict not in FEEDBACK:
        raise InputError(f"feedback {verdict!r} must be one of: {', '.join(FEEDBACK)}")
    alert = _alert(tables, alert_id)
    row = tables.sensitivities().get(alert["scope"]) or {
        "preset": "normal",
        "adjustment": 1.0,
        "useful": 0,
        "noise": 0,
    }
    step = NOISE_STEP if verdict == "noise" else USEFUL_STEP
    if alert["feedback"] == verdict:
        step = 1.0  # the same verdict twice counts once
    adjustment = min(MAX_ADJUSTMENT, max(MIN_ADJUSTMENT, float(row["adjustment"]) * step))
    counts = {verdict: int(row[verdict]) + (step != 1.0)}
    tables.save_sensitivity(
        alert["scope"],
        preset=row["preset"],
        adjustment=adjustment,
        **{k: int(row[k]) for k in FEEDBACK if k != verdict},
        **counts,
    )
    tables.set_alert(alert_id, "feedback", actor, feedback=verdict)
    return adjustment


def set_preset(tables: DetectionTables, scope: str, preset: str) -> None:
    """Set a scope's sensitivity preset (low, normal, high), keeping its feedback adjustment."""
    if preset not in PRESETS:
        raise InputError(f"sensitivity {preset!r} must be one of: {', '.join(PRESETS)}")
    row = tables.sensitivities().get(scope) or {"adjustment": 1.0, "useful": 0, "noise": 0}
    tables.save_sensitivity(
        scope, preset=preset, adjustment=row["adjustment"], useful=row["useful"], noise=row["noise"]
    )


def _alert(tables: DetectionTables, alert_id: int) -> dict[str, Any]:
    alert = tables.alert(alert_id)
    if alert is None:
        raise InputError(f"there is no alert {alert_id}; see `civicpulse alerts list`")
    return alert
