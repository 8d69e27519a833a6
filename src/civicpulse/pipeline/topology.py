"""The pipeline order, in one readable function, grouped by the workers that can run each part alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from civicpulse.config import Settings
from civicpulse.detect.stage import DetectStage
from civicpulse.pipeline.columns import SaveColumns
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.stage import Stage
from civicpulse.respond.notify import Notifier
from civicpulse.store import Store
from civicpulse.store.fencing import Fence
from civicpulse.stories.stage import StoryStage
from civicpulse.understand.claims.stage import ClaimStage
from civicpulse.understand.classify.active import city_models_dir
from civicpulse.understand.classify.stage import ClassifyStage
from civicpulse.understand.places import PlacesStage
from civicpulse.understand.stage import TopicStage, UnderstandStage


def understand_stages(settings: Settings, store: Store) -> list[Stage]:
    """Stateless per-item understanding; the stages after it read `analysis_text` and `lang`."""
    # Stage options join the settings as they become tunable by the city.
    classify = ClassifyStage(models_dir=city_models_dir(settings.data_dir))
    return [
        UnderstandStage(store),  # language, analysis text, features, near-duplicates
        TopicStage(store),  # watched topics
        SaveColumns(PlacesStage(), store, ("units",)),  # the city's units
        SaveColumns(classify, store, ("labels",)),  # sentiment, toxicity, concern, scam (active models)
        ClaimStage(store),  # known false claims: suggested or linked matches, stored by the stage
    ]


def story_stages(settings: Settings, store: Store) -> list[Stage]:
    """Online story clustering (stateful: one instance per partition)."""
    del settings
    return [SaveColumns(StoryStage(store), store, ("story_id",))]


def detect_stages(settings: Settings, store: Store, fence: Fence | None = None) -> list[Stage]:
    """Signals, detectors and alerts (stateful); the notifier's thread sends alerts.

    A leased detect partition passes its `fence`: its saves commit only while it holds the lease.
    """
    del settings
    return [DetectStage(store, sink=Notifier(store), fence=fence)]


GROUPS: dict[str, Callable[[Settings, Store], list[Stage]]] = {
    "understand": understand_stages,
    "stories": story_stages,
    "detect": detect_stages,
}


def lay_pipe(settings: Settings, store: Store, groups: Sequence[str] = tuple(GROUPS)) -> Pipeline:
    """Return the pipeline every new item goes through after collection stored it: all groups, in order."""
    return Pipeline(store, stages=[stage for group in groups for stage in GROUPS[group](settings, store)])
