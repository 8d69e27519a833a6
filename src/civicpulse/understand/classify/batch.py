"""Run several classifiers over one batch: one feature pass and two sparse products for all linear models.

Each linear model scores `w · (x ⊙ idf) / ‖x ⊙ idf‖ + b`. Folding idf into the weights and computing
the norm as `x² · idf²` turns every model sharing a feature spec into columns of one matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from civicpulse.understand.classify.base import Classifier, Prediction
from civicpulse.understand.classify.features import FeatureSpec
from civicpulse.understand.classify.linear import LinearTextClassifier


class _Fused:
    """The linear models of one feature spec, stacked column-wise."""

    def __init__(self, models: list[LinearTextClassifier]) -> None:
        self.models = models
        self.featurizer = models[0].featurizer
        self.scores = np.ascontiguousarray(
            np.hstack([(m.weights * m.idf).T for m in models]).astype(np.float32)
        )
        self.norms = np.ascontiguousarray(np.stack([m.idf.astype(np.float32) ** 2 for m in models], axis=1))
        self.offsets = np.cumsum([0] + [len(m.labels) for m in models])

    def predict(self, texts: Sequence[str]) -> list[list[Prediction]]:
        counts = self.featurizer.transform(texts)
        raw = np.asarray(counts @ self.scores)
        counts.data **= 2
        norms = np.sqrt(np.asarray(counts @ self.norms))
        norms[norms == 0.0] = 1.0
        out = []
        for i, model in enumerate(self.models):
            scores = raw[:, self.offsets[i] : self.offsets[i + 1]] / norms[:, i : i + 1] + model.intercepts
            out.append(model.predictions(model.probabilities(scores)))
        return out


class ClassifierSet:
    """Several named classifiers behind one `predict_many` that returns {name: prediction} per text.

    The models are read when the set is made; a model refitted later needs a new set.
    """

    def __init__(self, classifiers: Sequence[Classifier]) -> None:
        names = [c.name for c in classifiers]
        if len(set(names)) != len(names):
            raise ValueError(f"classifier names must be unique, got {names}")
        self.classifiers = list(classifiers)
        groups: dict[FeatureSpec, list[LinearTextClassifier]] = {}
        for model in self.classifiers:
            if isinstance(model, LinearTextClassifier):
                groups.setdefault(model.spec, []).append(model)
        self._fused = [_Fused(models) for models in groups.values()]
        self._others = [c for c in self.classifiers if not isinstance(c, LinearTextClassifier)]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the classifiers' names, in order."""
        return tuple(c.name for c in self.classifiers)

    def predict_many(self, texts: Sequence[str]) -> list[dict[str, Prediction]]:
        """Return, for each text, every classifier's prediction (in the set's order)."""
        if not texts:
            return []
        found: dict[str, list[Prediction]] = {}
        for fused in self._fused:
            for model, predictions in zip(fused.models, fused.predict(texts), strict=True):
                found[model.name] = predictions
        for other in self._others:
            found[other.name] = other.predict_many(texts)
        return [{name: found[name][i] for name in self.names} for i in range(len(texts))]

    def predict_one(self, text: str) -> dict[str, Prediction]:
        """Return every classifier's prediction for one text."""
        return self.predict_many([text])[0]
