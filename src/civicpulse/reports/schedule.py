"""Scheduled response work inside `civicpulse run`: overdue escalations and the morning briefings.

`tick(now)` does whatever is due and is what tests call; `run_forever` calls it every `POLL_S` seconds
until stopped. Each morning the city's briefing goes to `briefing_subscribers` and each unit that has
contact points gets its own briefing; all of them go through the notice queue (the delivery log). The last
briefing day is a checkpoint, so a restart does not send the same briefings twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.reports.briefing import CITY_ZONE, build
from civicpulse.reports.pdf import to_pdf
from civicpulse.reports.render import to_html
from civicpulse.respond.cases import Cases
from civicpulse.respond.notices import Notice, Notifier
from civicpulse.store import Store

log = logging.getLogger(__name__)
POLL_S = 60.0
CHECKPOINT = "reports:briefing_day"


def write_briefing(store: Store, day: date, out: Path, unit: str = "", now: datetime | None = None) -> Path:
    """Build the briefing of `day` and write it to `out` (PDF or HTML by its suffix)."""
    briefing = build(store, day, unit, now)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(to_pdf(briefing))
    else:
        out.write_text(to_html(briefing), encoding="utf-8")
    return out


class DailyJobs:
    """Escalates overdue cases every `escalation_interval_s`; makes and sends the briefing once a day."""

    def __init__(self, settings: Settings, store: Store, cases: Cases, notifier: Notifier) -> None:
        self.settings = settings
        self.store = store
        self.cases = cases
        self.notifier = notifier
        self._last_escalation: datetime | None = None

    def tick(self, now: datetime) -> list[str]:
        """Do what is due at `now`; return what was done (for logs and tests)."""
        self.notifier.start()  # notices queued before a restart are retried too
        done = []
        interval = timedelta(seconds=self.settings.escalation_interval_s)
        if self._last_escalation is None or now - self._last_escalation >= interval:
            self._last_escalation = now
            escalated = self.cases.escalate_overdue()
            if escalated:
                done.append(f"escalated {len(escalated)}")
        local = now.astimezone(CITY_ZONE)
        day = local.date() - timedelta(days=1)
        if local.hour >= self.settings.briefing_hour and self.store.checkpoint(CHECKPOINT) != day.isoformat():
            units = self.send_briefings(day, now)
            self.store.save_checkpoint(CHECKPOINT, day.isoformat())
            done.append(f"briefing {day.isoformat()}")
            done += [f"briefing {day.isoformat()} {code}" for code in units]
        return done

    def send_briefings(self, day: date, now: datetime) -> list[str]:
        """Make and send the city's briefing of `day`, then each unit's; return the units briefed."""
        self.send_briefing(day, now)
        units = []
        for unit in self.cases.directory.units_with_contacts():
            try:
                self.send_briefing(day, now, unit.code, unit.contacts)
            except Exception:  # one unit's briefing failing must not stop the other units'
                log.exception("the briefing of %s for unit %s failed", day, unit.code)
                continue
            units.append(unit.code)
        return units

    def send_briefing(
        self, day: date, now: datetime, unit: str = "", contacts: Sequence[str] | None = None
    ) -> Path:
        """Write the briefing of `day` (the city's, or `unit`'s) under DATA_DIR/briefings and send it.

        The city's goes to `briefing_subscribers`, a unit's to `contacts` (the unit's contact points).
        """
        name = f"{day.isoformat()}-{unit}.pdf" if unit else f"{day.isoformat()}.pdf"
        path = write_briefing(self.store, day, self.settings.data_dir / "briefings" / name, unit, now=now)
        to = list(self.settings.briefing_subscribers if contacts is None else contacts)
        if to:
            where = f" — {self.cases.directory.name(unit)}" if unit else ""
            link = f"{self.settings.public_url.rstrip('/')}/briefings/{day.isoformat()}"
            self.notifier.send(
                to,
                Notice(
                    kind="briefing.unit" if unit else "briefing",
                    subject=f"[civicpulse] Bản tin sáng {day:%d/%m/%Y}{where}",
                    text=f"Bản tin ngày {day:%d/%m/%Y}{where} đính kèm.\nBriefing of {day} attached.",
                    link=f"{link}?unit={unit}" if unit else link,
                    attachments=((path.name, "application/pdf", path.read_bytes()),),
                    data={"day": day.isoformat(), "unit": unit},
                ),
            )
        return path

    def run_forever(self, stop: threading.Event) -> None:
        """Tick until `stop` is set; an error is logged and the next tick tries again."""
        while not stop.is_set():
            try:
                self.tick(datetime.now(UTC))
            except Exception:
                log.exception("scheduled response work failed; trying again in %s s", POLL_S)
            stop.wait(POLL_S)
