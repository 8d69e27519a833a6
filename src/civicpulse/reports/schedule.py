"""Scheduled response work inside `civicpulse run`: overdue escalations and the morning briefing.

`tick(now)` does whatever is due and is what tests call; `run_forever` calls it every `POLL_S` seconds
until stopped. The last briefing day is a checkpoint, so a restart does not send the same briefing twice.
"""

from __future__ import annotations

import logging
import threading
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
            self.send_briefing(day, now)
            self.store.save_checkpoint(CHECKPOINT, day.isoformat())
            done.append(f"briefing {day.isoformat()}")
        return done

    def send_briefing(self, day: date, now: datetime) -> Path:
        """Write the city's briefing of `day` under DATA_DIR/briefings and e-mail it to the subscribers."""
        path = write_briefing(
            self.store, day, self.settings.data_dir / "briefings" / f"{day.isoformat()}.pdf", now=now
        )
        if self.settings.briefing_subscribers:
            self.notifier.send(
                self.settings.briefing_subscribers,
                Notice(
                    kind="briefing",
                    subject=f"[civicpulse] Bản tin sáng {day:%d/%m/%Y}",
                    text=f"Bản tin ngày {day:%d/%m/%Y} đính kèm. / Briefing of {day.isoformat()} attached.",
                    link=f"{self.settings.public_url.rstrip('/')}/briefings/{day.isoformat()}",
                    attachments=((path.name, "application/pdf", path.read_bytes()),),
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
