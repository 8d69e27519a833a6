"""The hybrid model kind (n-grams plus e5): save/load, the CLI, and the embedding really being used."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.understand.classify.batch import ClassifierSet
from civicpulse.understand.classify.card import read_card
from civicpulse.understand.classify.corpus import read_labelled
from civicpulse.understand.classify.hybrid import EMBEDDING_DIM, HybridTextClassifier
from civicpulse.understand.classify.stage import ClassifyStage
from civicpulse.understand.classify.storage import HYBRID_FORMAT, load_model, save_model
from civicpulse.understand.embed import OnnxEmbedder
from civicpulse.understand.embed_e5 import Floats
from tests.factories import item

GATES = Path(__file__).resolve().parents[2] / "fixtures" / "classify"
DATA = GATES / "sentiment_gate.jsonl"


class Recording:
    """Wraps an embedder and keeps every text it was asked to embed."""

    name = "recording"

    def __init__(self, inner: OnnxEmbedder) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def embed_many(self, texts: Sequence[str]) -> Floats:
        self.seen.extend(texts)
        return self.inner.embed_many(texts)


class Shuffled:
    """The same vectors, each text given another text's vector: what a wrong embedding looks like."""

    name = "shuffled"

    def __init__(self, inner: OnnxEmbedder) -> None:
        self.inner = inner

    def embed_many(self, texts: Sequence[str]) -> Floats:
        return self.inner.embed_many(texts)[::-1].copy()


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return OnnxEmbedder(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def trained(embedder: OnnxEmbedder) -> HybridTextClassifier:
    rows = read_labelled(DATA)
    model = HybridTextClassifier("sentiment", ("negative", "neutral", "positive"), embedder=embedder)
    model.learn_many([r.text for r in rows], [r.label for r in rows])
    return model


def texts() -> list[str]:
    return [r.text for r in read_labelled(DATA)]


def test_round_trip_keeps_predictions(
    trained: HybridTextClassifier, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    save_model(trained, tmp_path / "m")
    assert json.loads((tmp_path / "m" / "model.json").read_text())["format"] == HYBRID_FORMAT
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as arrays:
        assert arrays["embed_weights"].shape == (3, EMBEDDING_DIM)
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, HybridTextClassifier)
    loaded.embedder = embedder
    before, after = trained.predict_many(texts()), loaded.predict_many(texts())
    assert [p.label for p in after] == [p.label for p in before]
    for a, b in zip(after, before, strict=True):  # n-gram weights are stored as float16
        assert a.probs == pytest.approx(b.probs, abs=1e-3)
    save_model(loaded, tmp_path / "again")
    reloaded = load_model(tmp_path / "again")
    assert isinstance(reloaded, HybridTextClassifier)
    reloaded.embedder = embedder
    assert [p.probs for p in reloaded.predict_many(texts())] == [p.probs for p in after]


def test_scores_include_the_embedding(trained: HybridTextClassifier, embedder: OnnxEmbedder) -> None:
    sample = texts()
    assert np.abs(trained.embed_weights).max() > 0.0
    parts = trained.ngram_scores(sample) + trained.embedding_scores(embedder.embed_many(sample))
    assert np.allclose(trained.scores(sample), parts, atol=1e-5)
    assert not np.allclose(trained.scores(sample), trained.ngram_scores(sample), atol=1e-3)
    right = trained.scores(sample)
    trained.embedder = Shuffled(embedder)
    try:
        assert not np.allclose(trained.scores(sample), right, atol=1e-3)
    finally:
        trained.embedder = embedder


def test_loaded_model_embeds_every_text_even_in_a_classifier_set(
    trained: HybridTextClassifier, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    save_model(trained, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, HybridTextClassifier)
    recording = Recording(embedder)
    loaded.embedder = recording
    alone = loaded.predict_many(texts())
    assert recording.seen == texts()
    together = ClassifierSet([loaded]).predict_many(texts())
    assert [row["sentiment"].probs for row in together] == [p.probs for p in alone]
    assert len(recording.seen) == 2 * len(texts())


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_cli_trains_and_evaluates_a_hybrid_model(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "hybrid"
    args = ["train", "sentiment", "--data", str(DATA), "--dev", str(DATA), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--features", "hybrid"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dev"]["items"] == 30
    assert json.loads((out / "model.json").read_text())["embedding"]["weight"] == 0.5
    card = read_card(out)
    assert card is not None and "multilingual-e5-small" in card.notes
    assert (data_dir / "models").is_dir()  # the e5 graph was built where the settings say

    result = CliRunner().invoke(cli, ["eval", "sentiment", str(DATA), "--model", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["accuracy"] == 1.0 and scores["model"] == str(out)


def test_cli_refuses_hybrid_for_rules_and_shipped(data_dir: Path, tmp_path: Path) -> None:
    for args in (["scam", "--data", str(DATA)], ["sentiment", "--shipped"]):
        result = CliRunner().invoke(
            cli, ["train", *args, "--out", str(tmp_path / "x"), "--features", "hybrid"]
        )
        assert result.exit_code == 2
        assert "--features hybrid" in result.output


def test_classify_stage_uses_a_city_installed_hybrid_model(
    trained: HybridTextClassifier, embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    save_model(trained, tmp_path / "classifiers" / "sentiment")
    stage = ClassifyStage(models_dir=tmp_path / "classifiers")
    model = stage.models.classifiers[0]
    assert isinstance(model, HybridTextClassifier)
    recording = Recording(embedder)
    model.embedder = recording
    posts = [item(text) for text in texts()[:5]]
    done = stage.process_many(posts)
    assert recording.seen == texts()[:5]
    expected = [p.label for p in trained.predict_many(texts()[:5])]
    assert [d.enrichment.labels["sentiment"]["label"] for d in done] == expected
    assert set(done[0].enrichment.labels) == {"sentiment", "toxicity", "concern", "scam"}
