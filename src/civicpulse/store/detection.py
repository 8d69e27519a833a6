"""Detection tables: signal state, alerts and their lifecycle, sensitivity, recipients and deliveries.

Rows are plain dicts so the store does not import the detectors (imports point one way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from civicpulse.store.fencing import Fence, check
from civicpulse.store.schema import (
    alert_history,
    alert_sensitivity,
    alerts,
    checkpoints,
    clarification_links,
    deliveries,
    delivery_log,
    detect_signals,
    recipients,
)
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store

CHECKPOINT = "detect:state"
CLAIM_S = 300.0
"""How long a process that claimed a due delivery may take to send it; after that another may claim it."""


def _now() -> datetime:
    return datetime.now(UTC)


class DetectionTables:
    """Reads and writes of the detection tables over `store.engine`.

    With a `fence` (a leased detect partition), `save` commits only while the lease is still that generation.
    """

    def __init__(self, store: Store, *, fence: Fence | None = None) -> None:
        self.store = store
        self.fence = fence

    # -- signal state --------------------------------------------------------------------------------

    def save(
        self,
        signals: Sequence[dict[str, Any]],
        new_alerts: Sequence[dict[str, Any]],
        changed_alerts: Sequence[dict[str, Any]],
        checkpoint: Callable[[list[int]], dict[str, Any]] | None,
    ) -> list[int]:
        """Upsert signal states, insert new alerts (return their ids), update grown ones, atomically.

        `checkpoint` is called with the new alerts' ids and returns the state to save in the same transaction.
        Raises `LeaseLost` (and writes nothing) when another worker took the partition since `fence`.
        """
        store, stamp = self.store, _now()
        ids: list[int] = []
        with store._write(), store.engine.begin() as conn:
            check(conn, self.fence)
            if signals:
                statement = store._insert(detect_signals)
                statement = statement.on_conflict_do_update(
                    index_elements=["subject_kind", "subject_id"],
                    set_={c: statement.excluded[c] for c in ("state", "last_seen", "updated_at")},
                )
                conn.execute(statement, [{**row, "updated_at": stamp} for row in signals])
            for row in new_alerts:
                values = {**row, "created_at": stamp, "updated_at": stamp}
                alert_id = int(
                    conn.execute(insert(alerts).values(values).returning(alerts.c.id)).scalar_one()
                )
                ids.append(alert_id)
                conn.execute(
                    insert(alert_history).values(alert_id=alert_id, action="new", at=stamp, details={})
                )
            for row in changed_alerts:
                values = {k: v for k, v in row.items() if k != "id"}
                conn.execute(
                    update(alerts).where(alerts.c.id == row["id"]).values(**values, updated_at=stamp)
                )
                conn.execute(
                    insert(alert_history).values(
                        alert_id=row["id"], action="escalated", at=stamp, details={"level": row.get("level")}
                    )
                )
            if checkpoint is not None:
                value = checkpoint(ids)
                statement = store._insert(checkpoints).values(name=CHECKPOINT, value=value, updated_at=stamp)
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["name"], set_={"value": value, "updated_at": stamp}
                    )
                )
        return ids

    def checkpoint(self) -> dict[str, Any] | None:
        """Return the detector's global state, or None before the first flush."""
        value: dict[str, Any] | None = self.store.checkpoint(CHECKPOINT)
        return value

    def signal_states(self, limit: int) -> list[dict[str, Any]]:
        """Return the `limit` most recently seen subjects' states."""
        query = select(detect_signals).order_by(detect_signals.c.last_seen.desc()).limit(limit)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def answered(self) -> set[tuple[str, str]]:
        """Return the subjects an official clarification is linked to (the response loop's answer hook)."""
        query = select(clarification_links.c.kind, clarification_links.c.target_id)
        with self.store.engine.connect() as conn:
            return {(str(kind), str(target)) for kind, target in conn.execute(query)}

    # -- alerts --------------------------------------------------------------------------------------

    def alerts(self, *, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        """Return alerts newest first, optionally only those with `status`."""
        query = select(alerts).order_by(alerts.c.opened_at.desc(), alerts.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(alerts.c.status == status)
        with self.store.engine.connect() as conn:
            return [_alert(r._mapping) for r in conn.execute(query)]

    def alert(self, alert_id: int) -> dict[str, Any] | None:
        """Return one alert, or None."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        return None if row is None else _alert(row._mapping)

    def set_alert(self, alert_id: int, action: str, actor: str, **values: Any) -> None:
        """Change an alert's status or feedback and record who did it in its history."""
        stamp = _now()
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values, updated_at=stamp))
            conn.execute(
                insert(alert_history).values(
                    alert_id=alert_id, action=action, actor=actor, details=dict(values), at=stamp
                )
            )

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        """Return an alert's history, oldest first."""
        query = select(alert_history).where(alert_history.c.alert_id == alert_id).order_by(alert_history.c.id)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self) -> int:
        """Return how many alerts are stored."""
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(alerts)).scalar_one())

    # -- sensitivity ---------------------------------------------------------------------------------

    def sensitivities(self) -> dict[str, dict[str, Any]]:
        """Return every scope's preset, feedback adjustment and feedback counts."""
        with self.store.engine.connect() as conn:
            return {r.scope: dict(r._mapping) for r in conn.execute(select(alert_sensitivity))}

    def save_sensitivity(self, scope: str, **values: Any) -> None:
        """Upsert one scope's sensitivity row."""
        row = {"preset": "normal", "adjustment": 1.0, "useful": 0, "noise": 0, **values}
        row.update(scope=scope, updated_at=_now())
        statement = self.store._insert(alert_sensitivity).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=["scope"], set_={k: statement.excluded[k] for k in row if k != "scope"}
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement)

    # -- recipients and deliveries -------------------------------------------------------------------

    def add_recipient(self, **values: Any) -> int:
        """Register a recipient; return its id."""
        row = {"secret": "", "topics": [], "quiet_hours": "", "digest": "", "enabled": True, **values}
        with self.store._write(), self.store.engine.begin() as conn:
            statement = insert(recipients).values(**row, created_at=_now()).returning(recipients.c.id)
            return int(conn.execute(statement).scalar_one())

    def recipients(self, *, enabled_only: bool = False) -> list[dict[str, Any]]:
        """Return the recipients in id order."""
        query = select(recipients).order_by(recipients.c.id)
        if enabled_only:
            query = query.where(recipients.c.enabled.is_(True))
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def enqueue(self, rows: Sequence[dict[str, Any]]) -> None:
        """Add pending deliveries (alert, recipient, event, next_attempt_at)."""
        if not rows:
            return
        stamp = _now()
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(
                insert(deliveries),
                [
                    {"status": "pending", "attempts": 0, "last_error": "", "created_at": stamp, **r}
                    for r in rows
                ],
            )

    def claim_due(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Claim pending alert deliveries whose time has come for this process (see `claim`); return them."""
        return claim(self.store, self.due(now, limit), now)

    def due(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Return pending deliveries whose time has come, with their alert and recipient."""
        query = (
            select(deliveries, alerts.c.headline, alerts.c.explanation, alerts.c.level, alerts.c.score)
            .join(alerts, alerts.c.id == deliveries.c.alert_id)
            .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def record_attempt(self, delivery_id: int, attempt: int, log: dict[str, Any], **values: Any) -> None:
        """Log one attempt and update the delivery's status, attempts and next time, in one transaction."""
        stamp = _now()
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(
                insert(delivery_log).values(delivery_id=delivery_id, attempt=attempt, at=stamp, **log)
            )
            conn.execute(
                update(deliveries).where(deliveries.c.id == delivery_id).values(attempts=attempt, **values)
            )

    def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        """Return deliveries (of one alert, or all) in id order."""
        query = select(deliveries).order_by(deliveries.c.id)
        if alert_id is not None:
            query = query.where(deliveries.c.alert_id == alert_id)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def delivery_log(self, delivery_id: int) -> list[dict[str, Any]]:
        """Return every attempt of one delivery, oldest first."""
        query = (
            select(delivery_log).where(delivery_log.c.delivery_id == delivery_id).order_by(delivery_log.c.id)
        )
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def claim(
    store: Store, rows: Sequence[dict[str, Any]], now: datetime, hold_s: float = CLAIM_S
) -> list[dict[str, Any]]:
    """Claim due delivery `rows` for this process; return the ones it won, in their order.

    One conditional UPDATE moves each row's `next_attempt_at` `hold_s` ahead, only where it is still pending
    and due: of two processes sending from one database (a command and a running server, two workers) only
    the one whose UPDATE hit a row sends it. Recording the attempt replaces the claim; a process that died
    while sending leaves a claim that falls due again after `hold_s`, and another process sends it then.
    """
    if not rows:
        return []
    statement = (
        update(deliveries)
        .where(
            deliveries.c.id.in_([row["id"] for row in rows]),
            deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + timedelta(seconds=hold_s))
        .returning(deliveries.c.id, deliveries.c.attempts)
    )
    with store._write(), store.engine.begin() as conn:
        won = {int(i): int(attempts) for i, attempts in conn.execute(statement)}
    return [{**row, "attempts": won[row["id"]]} for row in rows if row["id"] in won]


def _alert(row: Any) -> dict[str, Any]:
    alert = dict(row)
    for key in ("opened_at", "escalated_at", "created_at", "updated_at"):
        alert[key] = aware(alert[key])
    return alert
