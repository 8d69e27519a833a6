"""The pipeline order, in one readable function."""

from __future__ import annotations

from civicpulse.config import Settings
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store


def lay_pipe(settings: Settings, store: Store) -> Pipeline:
    """Return the pipeline every new item goes through.

    Collection and storage happen before it. The understanding, story and detection stages join this list
    as they are built (issues 3-6): language, dedup, embed, classify, places, topics, stories, signals.
    """
    del settings  # the stages to come read their options from it
    return Pipeline(store, stages=[])
