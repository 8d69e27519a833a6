"""A model retrained on analysts' labels replaces the active one only if not worse, and every decision
is recorded in the store and in the model cards (real SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from civicpulse.store import Store
from civicpulse.store.labels import LabelCorrection, LabelTables
from civicpulse.store.model_swaps import swap_history
from civicpulse.understand.classify.active import describe_active, load_active
from civicpulse.understand.classify.stage import ClassifyStage
from civicpulse.understand.classify.swap import retrain_from_store
from tests.factories import item

PLACES = (
    "Đường Lê Lợi",
    "Chợ Bến Thành",
    "Công viên Tao Đàn",
    "Bến xe Miền Đông",
    "Khu phố 3",
    "Hẻm 12",
    "Cầu Sài Gòn",
    "Phường Thủ Đức",
    "Trường tiểu học",
    "Bệnh viện quận",
    "Nhà văn hoá",
    "Đường Nguyễn Huệ",
)
PRAISE = ("sạch sẽ và thoáng mát, cảm ơn phường", "được sửa rất nhanh, tuyệt vời", "nhân viên rất nhiệt tình")
BLAME = ("ngập nặng, rác bốc mùi kinh khủng", "kẹt xe cả ngày, quá tệ", "ổ gà khắp nơi, nguy hiểm quá")
PRAISE_MORE = ("đẹp hơn hẳn, rất hài lòng", "an toàn, người dân rất vui")
BLAME_MORE = ("mất điện liên tục, bực mình", "bẩn thỉu, chẳng ai dọn")


def _label(store: Store, phrases: tuple[tuple[str, str], ...]) -> None:
    texts = [(f"{place} {phrase}", label) for place, (phrase, label) in itertools.product(PLACES, phrases)]
    stored = store.add_items([item(text) for text, _ in texts])
    labels = LabelTables(store)
    for found, (_, label) in zip(stored, texts, strict=True):
        assert found.id is not None
        labels.add(LabelCorrection(found.id, "sentiment", label, analyst="an"))


def _phrases(praise: tuple[str, ...], blame: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((p, "positive") for p in praise) + tuple((b, "negative") for b in blame)


def test_a_small_holdout_is_refused_and_nothing_is_installed(store: Store, tmp_path: Path) -> None:
    _label(store, _phrases(PRAISE[:1], BLAME[:1]))  # 24 labels: too few held out to judge
    models_dir = tmp_path / "classifiers"
    swap = retrain_from_store(store, "sentiment", tmp_path / "cand", models_dir, decided_by="an")
    assert not swap.accepted
    assert "held-out labels" in swap.reason
    assert describe_active(models_dir, "sentiment") == "shipped:sentiment"
    assert not (models_dir / "sentiment").exists()
    card = json.loads((tmp_path / "cand" / "card.json").read_text())
    assert card["history"][-1]["accepted"] is False
    assert [s.id for s in swap_history(store, "sentiment")] == [swap.id]


def test_accepted_swap_installs_records_and_carries_history(store: Store, tmp_path: Path) -> None:
    models_dir = tmp_path / "classifiers"
    _label(store, _phrases(PRAISE, BLAME))
    first = retrain_from_store(store, "sentiment", tmp_path / "one", models_dir, decided_by="an", command="c")
    assert first.accepted, first.reason
    assert first.previous == "shipped:sentiment"
    assert first.holdout_items >= 10
    assert first.new_metrics["macro_f1"] >= first.old_metrics["macro_f1"]
    assert describe_active(models_dir, "sentiment") == str(models_dir / "sentiment")
    active = load_active(models_dir, "sentiment")
    assert active.predict_one("Chợ Bến Thành ngập nặng, quá tệ").label == "negative"

    _label(store, _phrases(PRAISE_MORE, BLAME_MORE))
    second = retrain_from_store(store, "sentiment", tmp_path / "two", models_dir, decided_by="binh")
    assert second.previous == str(models_dir / "sentiment")
    history = swap_history(store, "sentiment")
    assert [s.id for s in history] == [second.id, first.id]
    assert history[1].decided_by == "an" and history[1].command == "c"
    assert history[1].old_metrics == first.old_metrics
    assert swap_history(store, "toxicity") == []
    assert second.accepted, second.reason
    card = json.loads((models_dir / "sentiment" / "card.json").read_text())
    assert [h["id"] for h in card["history"]] == [first.id, second.id]
    assert [p.name.split("-")[0] for p in (models_dir / "archive").iterdir()] == ["sentiment"]
    assert "| binh | 27 |" in (models_dir / "sentiment" / "MODEL_CARD.md").read_text()


def test_the_classify_stage_uses_the_accepted_model(store: Store, tmp_path: Path) -> None:
    models_dir = tmp_path / "classifiers"
    _label(store, _phrases(PRAISE, BLAME))
    assert retrain_from_store(store, "sentiment", tmp_path / "one", models_dir).accepted
    stage = ClassifyStage(models_dir=models_dir)
    sentiment = next(m for m in stage.models.classifiers if m.name == "sentiment")
    assert sentiment.labels == ("negative", "positive")
    assert set(stage.models.names) == {"sentiment", "toxicity", "concern", "scam"}
