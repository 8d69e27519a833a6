"""Run several classifiers over one batch, computing each feature spec's n-grams only once."""

from __future__ import annotations

from collections.abc import Sequence

from civicpulse.understand.classify.base import Classifier, Prediction
from civicpulse.understand.classify.features import FeatureSpec
from civicpulse.understand.classify.linear import LinearTextClassifier


class ClassifierSet:
    """Several named classifiers behind one `predict_many` that returns {name: prediction} per text."""

    def __init__(self, classifiers: Sequence[Classifier]) -> None:
        names = [c.name for c in classifiers]
        if len(set(names)) != len(names):
            raise ValueError(f"classifier names must be unique, got {names}")
        self.classifiers = list(classifiers)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the classifiers' names, in order."""
        return tuple(c.name for c in self.classifiers)

    def predict_many(self, texts: Sequence[str]) -> list[dict[str, Prediction]]:
        """Return, for each text, every classifier's prediction."""
        out: list[dict[str, Prediction]] = [{} for _ in texts]
        if not texts:
            return out
        shared: dict[FeatureSpec, object] = {}
        for model in self.classifiers:
            if isinstance(model, LinearTextClassifier):
                if model.spec not in shared:
                    shared[model.spec] = model.featurizer.transform(texts)
                counts = shared[model.spec]
                predictions = model.predictions(model.probabilities(model.scores_from_counts(counts)))
            else:
                predictions = model.predict_many(texts)
            for row, prediction in zip(out, predictions, strict=True):
                row[model.name] = prediction
        return out

    def predict_one(self, text: str) -> dict[str, Prediction]:
        """Return every classifier's prediction for one text."""
        return self.predict_many([text])[0]
