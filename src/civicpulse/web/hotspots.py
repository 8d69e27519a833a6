"""Alerts as the dashboard shows them: the one-line reason in the reader's language, units, a spark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicpulse.web.dashboard_schemas import AlertOut
from civicpulse.web.i18n import Translator

LABEL_CHARS = 60


def subject_label(alert: dict[str, Any], names: Mapping[str, str], topics: Mapping[int, str]) -> str:
    """What the alert is about, short: a unit's or topic's name, else the story's first words."""
    explanation = alert.get("explanation") or {}
    kind, subject = alert["subject_kind"], str(alert["subject_id"])
    if kind == "unit":
        return " / ".join(names.get(code, code) for code in subject.split("|"))
    if kind == "topic" and subject.isdigit() and int(subject) in topics:
        return topics[int(subject)]
    label = str((explanation.get("subject") or {}).get("label") or "")
    terms = explanation.get("terms") or []
    if not label and terms:
        label = str(terms[0])
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def alert_units(alert: dict[str, Any]) -> list[str]:
    """Unit codes an alert touches: its subject if a unit, and the places its items name."""
    codes: list[str] = []
    if alert["subject_kind"] == "unit":
        codes += str(alert["subject_id"]).split("|")
    for place in (alert.get("explanation") or {}).get("places") or []:
        codes += [c for c in str(place).split("|") if c and c not in codes]
    return codes


def reason(alert: dict[str, Any], t: Translator, label: str, names: Mapping[str, str]) -> str:
    """'3× the usual volume for “ngập” in Phường Thủ Đức in the last hour; 14 sources; 60 % negative'."""
    e = alert.get("explanation") or {}
    now = int(e.get("now") or 0)
    ratio, expected = e.get("ratio"), float(e.get("expected") or 0)
    terms = [str(term).replace("_", " ") for term in e.get("terms") or []]
    # The most telling word reads better in one line than a story's whole first sentence.
    what = terms[0] if terms else label
    if ratio is not None and expected >= 0.5:
        text = t("reason.ratio", ratio=f"{float(ratio):g}", label=what)
    else:
        text = t("reason.count", count=now, label=what)
    if alert["subject_kind"] == "unit":
        places = [label]
    else:
        places = [names.get(code, code) for code in alert_units(alert)]
    if places:
        text += " " + t("reason.in", place=places[0])
    text += " " + t("reason.last_hour")
    parts = [text]
    sources = int((e.get("spread") or {}).get("sources") or 0)
    if sources > 1:
        parts.append(t("reason.sources", count=sources))
    for key, share in (
        ("reason.negative", e.get("negative_share")),
        ("reason.questions", e.get("question_share")),
    ):
        if share:
            parts.append(t(key, percent=round(100 * float(share))))
    return "; ".join(parts)


def alert_out(
    alert: dict[str, Any], t: Translator, names: Mapping[str, str], topics: Mapping[int, str]
) -> AlertOut:
    """An alert row as the API and the pages show it."""
    label = subject_label(alert, names, topics)
    series = (alert.get("explanation") or {}).get("series") or []
    subject = str(alert["subject_id"])
    return AlertOut(
        id=int(alert["id"]),
        subject_kind=alert["subject_kind"],
        subject_id=subject,
        label=label,
        status=alert["status"],
        level=int(alert["level"]),
        score=float(alert["score"]),
        feedback=alert.get("feedback") or "",
        opened_at=alert.get("opened_at"),
        reason=reason(alert, t, label, names),
        units=alert_units(alert),
        series=[int(h.get("distinct", h.get("items", 0)) or 0) for h in series],
        story_id=int(subject) if alert["subject_kind"] == "story" and subject.isdigit() else None,
    )
