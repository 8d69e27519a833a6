"""The pipeline order, in one readable function."""

from __future__ import annotations

from civicpulse.config import Settings
from civicpulse.pipeline.columns import SaveColumns
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from civicpulse.stories.stage import StoryStage
from civicpulse.understand.places import PlacesStage
from civicpulse.understand.stage import TopicStage, UnderstandStage


def lay_pipe(settings: Settings, store: Store) -> Pipeline:
    """Return the pipeline every new item goes through, after collection has stored it.

    Understanding comes first: the stages after it read `enrichment.analysis_text` and `lang`.
    """
    del settings  # stage options join the settings as they become tunable by the city
    return Pipeline(
        store,
        stages=[
            UnderstandStage(store),  # language, analysis text, features, near-duplicates
            TopicStage(store),  # watched topics
            SaveColumns(PlacesStage(), store, ("units",)),  # the city's units
            SaveColumns(StoryStage(store), store, ("story_id",)),  # online story clustering
        ],
    )
