"""The classification tasks: their labels, the model kind each trains, and where its default ships."""

from __future__ import annotations

from dataclasses import dataclass, field

from civicpulse.understand.classify.estimators import EstimatorOptions
from civicpulse.understand.classify.features import FeatureSpec


@dataclass(frozen=True)
class Task:
    """One task: label set, feature spec and estimator used by `civicpulse train`."""

    name: str
    labels: tuple[str, ...]
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    options: EstimatorOptions = field(default_factory=EstimatorOptions)
    linear: bool = True


# Same-data settings chosen on the public dev splits (docs/decisions/0030-classifiers.md).
TASKS: dict[str, Task] = {
    "sentiment": Task("sentiment", ("negative", "neutral", "positive"), options=EstimatorOptions(c=0.5)),
    "toxicity": Task("toxicity", ("clean", "offensive", "hate"), options=EstimatorOptions(c=0.5)),
    "concern": Task(
        "concern", ("none", "question", "complaint", "help_request"), options=EstimatorOptions(c=0.5)
    ),
    "scam": Task("scam", ("none", "scam"), linear=False),
}
TRAINABLE = ("sentiment", "toxicity", "concern", "scam")


def get_task(name: str) -> Task:
    """Return the task called `name`."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}") from None
