"""The classify stage: puts sentiment, toxicity, concern and scam labels on each item."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from civicpulse.models import Item
from civicpulse.understand.classify.active import load_active_set
from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.batch import ClassifierSet

# Sentiment and harm show in the first paragraphs; scoring whole articles only costs time.
MAX_CHARS = 2000


def item_text(item: Item) -> str:
    """Return what the classifiers read: the analysis text if understanding set one, else title and text."""
    if item.enrichment.analysis_text:
        return item.enrichment.analysis_text[:MAX_CHARS]
    title, text = item.title.strip(), item.text.strip()
    return (f"{title}. {text}" if title and text else title or text)[:MAX_CHARS]


class ClassifyStage:
    """Sets `enrichment.labels[name]` to {label, p, probs[, evidence]} for every classifier.

    Without `classifiers`, the active models are loaded (sentiment, toxicity, concern, scam): the city's
    accepted retrained model in `models_dir` where there is one, else the shipped default.
    `process_many` classifies a batch in one pass, for runners that hand over batches.
    """

    name = "classify"

    def __init__(
        self, classifiers: Sequence[Classifier] | None = None, *, models_dir: Path | None = None
    ) -> None:
        chosen = list(classifiers) if classifiers is not None else load_active_set(models_dir)
        self.models = ClassifierSet(chosen)

    def process(self, item: Item) -> Item:
        """Return the item with its labels set."""
        return self.process_many([item])[0]

    def process_many(self, items: Sequence[Item]) -> list[Item]:
        """Return the items with their labels set, classifying them as one batch."""
        predictions = self.models.predict_many([item_text(item) for item in items])
        out = []
        for item, found in zip(items, predictions, strict=True):
            labels = dict(item.enrichment.labels)
            labels.update({name: p.as_dict() for name, p in found.items()})
            enrichment = dataclasses.replace(item.enrichment, labels=labels)
            out.append(dataclasses.replace(item, enrichment=enrichment))
        return out
