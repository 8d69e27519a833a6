"""Classifiers: sentiment, toxicity, concern and scam signals behind one interface and one model format.

`Classifier` (base) is the interface; `LinearTextClassifier` (linear), `HybridTextClassifier` (hybrid:
n-grams plus the e5 embedding, chosen with `civicpulse train --features hybrid`) and `ScamSignals` (scam)
implement it; `save_model`/`load_model` (storage) read and write model directories; `load_default`
(defaults) opens the models shipped in the package; `ClassifyStage` (stage) puts their labels on items.
"""

from civicpulse.understand.classify.base import Classifier, Evidence, Prediction

__all__ = ["Classifier", "Evidence", "Prediction"]
