"""The embedding tier: budgeted, only where it may change the decision, and across languages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from civicpulse.stories import Doc, StoryClusterer
from civicpulse.stories.vectors import EmbedBudget, VectorIndex
from civicpulse.understand.embed import OnnxEmbedder
from civicpulse.understand.embed_e5 import Floats
from civicpulse.understand.tokens import terms


class Counting:
    """A stand-in embedder: a direction per first-word length, and the texts it embedded."""

    name = "counting"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_many(self, texts: Sequence[str]) -> Floats:
        self.texts.extend(texts)
        rows = [np.eye(8, dtype=np.float32)[len(t.split()[0]) % 8] for t in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), 8)


def vi_doc(doc_id: str, text: str, lang: str = "vi") -> Doc:
    return Doc(id=doc_id, terms=terms(text, lang), time=0.0, lang=lang, text=text)


def test_the_budget_counts_items_and_caps_seconds() -> None:
    now = [0.0]
    budget = EmbedBudget(share=0.5, per_s=1, clock=lambda: now[0])
    budget.tick()
    assert not budget.take()  # half a token
    budget.tick()
    assert budget.take()
    budget.tick()
    budget.tick()
    assert not budget.take()  # one per second already spent
    now[0] = 1.0
    assert budget.take()


def test_only_uncertain_or_short_items_are_embedded_within_budget() -> None:
    embedder = Counting()
    clusterer = StoryClusterer(embedder=embedder, embed_share=1.0, embed_short_words=3)
    long = "ngập nước kênh triều cường quận bảy máy bơm đêm nay đường phố"
    clusterer.learn_one(vi_doc("1", long))  # starts a story: embedded
    clusterer.learn_one(vi_doc("2", long + " thêm"))  # joins clearly and is long: not embedded
    assert embedder.texts == [long]
    lexical = StoryClusterer()  # no embedder and no share: the lexical path alone
    lexical.learn_one(vi_doc("3", "giá vàng"))
    assert lexical.embedded == 0


def test_vector_index_search_and_remove() -> None:
    index = VectorIndex()
    index.put(1, [1.0, 0.0])
    index.put(2, [0.0, 1.0])
    index.put(3, [1.0, 0.1])
    assert [sid for sid, _ in index.search(np.array([1.0, 0.0], dtype=np.float32), 2)] == [1, 3]
    index.remove(1)
    assert 1 not in index and len(index) == 2
    assert index.search(np.array([1.0, 0.0], dtype=np.float32), 1)[0][0] == 3


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return OnnxEmbedder(tmp_path_factory.mktemp("models"))


def test_a_translation_joins_the_story_across_languages(embedder: OnnxEmbedder) -> None:
    clusterer = StoryClusterer(embedder=embedder, embed_share=1.0)
    fire = clusterer.learn_one(
        vi_doc("1", "Cháy chung cư ở quận Bình Thạnh, hàng trăm người sơ tán trong đêm")
    )
    prices = clusterer.learn_one(vi_doc("2", "Giá xăng tăng lần thứ ba trong tháng, người dân lo lắng"))
    english = vi_doc("3", "Apartment fire in Binh Thanh district, hundreds evacuated overnight", "en")
    assert clusterer.learn_one(english) == fire
    other = vi_doc("4", "District 1 schools close as flu spreads among pupils", "en")
    assert clusterer.learn_one(other) not in {fire, prices}
