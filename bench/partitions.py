"""Partitioning benchmark (PostgreSQL): migration 0013 on a loaded table, inserts before and after, a drop.

Creates a scratch database, migrates it to 0012, bulk-loads `--items` items over `--months` months (with an
enrichment each), then measures in one run: the old insert path (ON CONFLICT on items.key, 0012) for
`--inserts` new items in batches of 500; migration 0013; `Store.add_items` (item_keys first, partitioned
items) for as many new items, and again for the same items (all known); `drop_old_partitions` of the oldest
month. Prints JSON. Run: .venv/bin/python bench/partitions.py [--items 200000 --months 12 --inserts 20000]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from civicpulse.models import Item
from civicpulse.store import open_store
from civicpulse.store.engine import migrate
from civicpulse.store.partitions import drop_old_partitions, month_of, partitions
from civicpulse.store.schema import items
from civicpulse.store.store import _item_row

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 500


def fresh(prefix: str, count: int, when: datetime) -> list[Item]:
    return [
        Item(
            key=f"{prefix}{k}",
            title=f"tiêu đề {k}",
            text=f"nội dung {k} " * 20,
            content_hash="h",
            collected_at=when,
        )
        for k in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--inserts", type=int, default=20_000)
    args = parser.parse_args()
    name = f"civicpulse_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    store = open_store(url)
    report: dict[str, object] = {"items": args.items, "months": args.months, "inserts": args.inserts}
    try:
        migrate(store.engine, "0012")
        now = datetime.now(UTC)
        span = timedelta(days=30 * args.months).total_seconds()
        with store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO items (key, kind, url, title, text, raw_text, fold, author, lang, platform,"
                    " platform_id, content_hash, published_at, collected_at, extra)"
                    " SELECT 'b' || g, 'article', '', 'tiêu đề ' || g, repeat('nội dung ', 20), '',"
                    " repeat('noi dung ', 20), '', '', '', '', 'h', NULL,"
                    " :now - make_interval(secs => :span * g / :n), '{}'"
                    " FROM generate_series(1, :n) g"
                ),
                {"now": now, "span": span, "n": args.items},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO enrichments (item_id, lang, lang_score, analysis_text, features, units,"
                    " labels, updated_at) SELECT id, '', 0, '', '{}', '[]', '{}', now() FROM items"
                )
            )
            conn.exec_driver_sql("ANALYZE")

        old = postgresql.insert(items).on_conflict_do_nothing(index_elements=["key"]).returning(items.c.id)
        rows = [_item_row(i) for i in fresh("old", args.inserts, now)]
        with store.engine.begin() as conn:  # warm up, uncounted
            conn.execute(old, [_item_row(i) for i in fresh("warm", BATCH, now)])
        started = time.perf_counter()
        for k in range(0, len(rows), BATCH):
            with store.engine.begin() as conn:
                conn.execute(old, rows[k : k + BATCH])
        report["old_insert_per_s"] = round(args.inserts / (time.perf_counter() - started))

        started = time.perf_counter()
        migrate(store.engine)
        report["migration_s"] = round(time.perf_counter() - started, 2)
        report["partitions"] = len(partitions(store))

        batch = fresh("new", args.inserts, now)
        for label in ("new_insert_per_s", "known_insert_per_s"):
            started = time.perf_counter()
            added = sum(len(store.add_items(batch[k : k + BATCH])) for k in range(0, len(batch), BATCH))
            report[label] = round(args.inserts / (time.perf_counter() - started))
            report[label.replace("per_s", "stored")] = added
        report["new_vs_old"] = round(int(report["new_insert_per_s"]) / int(report["old_insert_per_s"]), 2)

        oldest = partitions(store)[0]
        this = month_of(now)
        keep = (
            (this.year - oldest.start.year) * 12 + this.month - oldest.start.month - 1
        )  # all but the oldest
        started = time.perf_counter()
        dropped = drop_old_partitions(store, keep, this)
        report["drop_s"] = round(time.perf_counter() - started, 2)
        report["dropped"] = [(d.name, d.items) for d in dropped]
        report["oldest_was"] = oldest.name
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
