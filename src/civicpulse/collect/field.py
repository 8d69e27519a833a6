"""Collaborators' field reports: checked, stored once per client key, and sent down the pipeline as items.

A report reaches civicpulse from the web form, the REST API or the Telegram bot. Each carries an
idempotency key chosen by the client (the form's hidden field, the API caller, `tg:<chat>:<message>`), so a
retry on a flaky connection returns the first receipt instead of a second report. The stored item is of
source kind `field` and item kind `field_report`; its author is the reporter's pseudonym, like any author.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from civicpulse.collect.ingest import RawEntry, make_item
from civicpulse.config import Settings
from civicpulse.errors import InputError, Skip
from civicpulse.models import FieldReport, ItemKind, Source, SourceKind
from civicpulse.respond.files import IMAGE_TYPES, keep_file
from civicpulse.store import Store
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.understand.places import Gazetteer, UnitLocator, load_gazetteer

CHANNELS = {
    "web": "Báo cáo cơ sở (web)",
    "api": "Báo cáo cơ sở (API)",
    "telegram": "Báo cáo cơ sở (Telegram)",
}
MAX_TEXT = 5000
MAX_KEY = 100


@dataclass(frozen=True)
class Submission:
    """What a collaborator sends: text, optional photo bytes, a unit or coordinates, and the client's key."""

    text: str
    reporter: str
    channel: str
    idempotency_key: str
    unit: str = ""
    lat: float | None = None
    lon: float | None = None
    photo: bytes = b""
    chat_id: str = ""


class FieldReports:
    """Takes submissions, keeps their photos, stores reports and hands their items to the pipeline."""

    def __init__(
        self, store: Store, settings: Settings, pipeline: Any = None, gazetteer: Gazetteer | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.pipeline = pipeline
        self.tables = FieldReportTables(store)
        self.gazetteer = gazetteer or load_gazetteer()
        self.locator = UnitLocator(self.gazetteer)

    def place(self, unit: str, lat: float | None, lon: float | None) -> str:
        """Return the report's unit: the one picked, else the one the coordinates fall in."""
        if unit:
            if self.gazetteer.unit(unit) is None:
                raise InputError(f"unit {unit!r} is not one of the city's units; pick one from the list")
            return unit
        if lat is None or lon is None:
            raise InputError("say where: pick the ward or commune, or share the location")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError("the coordinates are not a place on Earth; share the location again")
        found = self.locator.locate(lat, lon)
        if found is None:
            raise InputError("that location is outside the city; pick the ward or commune from the list")
        return found

    def submit(self, submission: Submission) -> tuple[FieldReport, bool]:
        """Store a report (or return the one with the same key) and send its item down the pipeline."""
        text = submission.text.strip()
        if not text:
            raise InputError("the report is empty; write what people are saying")
        if len(text) > MAX_TEXT:
            raise InputError(f"the report is {len(text)} characters; keep it under {MAX_TEXT}")
        key = submission.idempotency_key.strip()
        if not key or len(key) > MAX_KEY:
            raise InputError("the form has no valid submission key; reload the page and send again")
        if submission.channel not in CHANNELS:
            raise InputError(f"unknown channel {submission.channel!r}")
        unit = self.place(submission.unit.strip(), submission.lat, submission.lon)
        photo = ""
        if submission.photo:
            photo = keep_file(
                submission.photo,
                root=self.settings.data_dir,
                folder="field",
                allowed=IMAGE_TYPES,
                max_bytes=int(self.settings.attachment_max_mb * 1024 * 1024),
            ).path
        report = FieldReport(
            text=text,
            reporter=submission.reporter,
            channel=submission.channel,
            idempotency_key=key,
            unit=unit,
            lat=submission.lat,
            lon=submission.lon,
            photo_path=photo,
            chat_id=submission.chat_id,
            created_at=datetime.now(UTC),
        )
        stored, created = self.tables.add(report)
        if created:
            stored = self._to_pipeline(stored)
        return stored, created

    def _to_pipeline(self, report: FieldReport) -> FieldReport:
        """Store the report as an item and pass it to the running pipeline (when there is one)."""
        source = self.store.add_source(
            Source(name=CHANNELS[report.channel], kind=SourceKind.FIELD, url=f"field:{report.channel}")
        )
        entry = RawEntry(
            text=report.text,
            kind=ItemKind.FIELD_REPORT,
            author=report.reporter,
            published_at=report.created_at,
            platform="field",
            platform_id=str(report.id),
            extra=_extra(report),
        )
        try:
            item = make_item(entry, source_id=source.id, pseudonym_key=self.settings.pseudonym_key)
        except Skip:
            return report
        stored = self.store.add_items([item])
        if not stored:
            return report
        self.tables.update(report.id or 0, item_id=stored[0].id)
        if self.pipeline is not None:
            self.pipeline.submit(stored)
        return replace(report, item_id=stored[0].id)


def _extra(report: FieldReport) -> dict[str, Any]:
    extra: dict[str, Any] = {"unit": report.unit, "channel": report.channel, "receipt": report.receipt}
    if report.lat is not None and report.lon is not None:
        extra |= {"lat": report.lat, "lon": report.lon}
    if report.photo_path:
        extra["photo"] = True
    return extra
