"""Online story clustering: each item joins a story or starts one the moment it arrives."""

from civicpulse.stories.clusterer import StoryClusterer
from civicpulse.stories.doc import Doc

__all__ = ["Doc", "StoryClusterer"]
