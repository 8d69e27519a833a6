from civicpulse.models import Enrichment
from civicpulse.store import Store
from civicpulse.store.understanding import EnrichmentTables
from tests import factories


def _ids(store: Store, count: int) -> list[int]:
    items = store.add_items(factories.item(f"bài {n}", url=f"https://e.vn/{n}") for n in range(count))
    return [i.id for i in items if i.id is not None]


def test_a_stage_save_changes_only_its_columns_of_existing_rows(store: Store) -> None:
    first, second = _ids(store, 2)
    tables = EnrichmentTables(store)
    tables.save([(first, Enrichment(lang="vi", features={"emoji": ["😭"]})), (second, Enrichment(lang="en"))])
    stale = Enrichment(lang="fr", units=("79_26734",), labels={"sentiment": "negative"})
    assert tables.save([(first, stale), (second, stale)], columns=("units",)) == 2
    stored = tables.get([first, second])
    assert stored[first] == Enrichment(lang="vi", features={"emoji": ["😭"]}, units=("79_26734",))
    assert stored[second] == Enrichment(lang="en", units=("79_26734",))


def test_a_stage_save_creates_the_rows_understanding_has_not_written_yet(store: Store) -> None:
    written, missing = _ids(store, 2)
    tables = EnrichmentTables(store)
    tables.save([(written, Enrichment(lang="vi"))])
    carried = Enrichment(lang="en", analysis_text="xin chào", labels={"scam": "no"})
    assert tables.save([(written, carried), (missing, carried)], columns=("labels",)) == 2
    stored = tables.get([written, missing])
    assert stored[written] == Enrichment(lang="vi", labels={"scam": "no"})
    assert stored[missing] == carried
