"""The JSON shapes of the labelling screen: the active-learning queue, one item's labels, a correction."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from civicpulse.store.labels import LabelCorrection
from civicpulse.web.schemas import ItemOut


class ModelLabel(BaseModel):
    """What a classifier said about an item for one task, and what an analyst said, if anyone did."""

    task: str
    choices: list[str] = Field(description="The labels of this task, in order (keys 1, 2, 3... pick them).")
    model_label: str = Field(description="The model's label, or empty when the item was not classified.")
    p: float | None = Field(description="The model's probability for its label.")
    analyst_label: str = Field(description="The latest analyst's label, or empty.")


class QueuedItem(BaseModel):
    """An item the model was unsure about, offered for labelling."""

    item: ItemOut
    label: ModelLabel
    uncertainty: float = Field(
        description="1 minus the gap between the two likeliest labels (1 = coin toss)."
    )


class LabelQueue(BaseModel):
    """The most uncertain recent items for one task, most uncertain first."""

    task: str
    tasks: list[str]
    scanned: int = Field(description="How many of the newest unlabelled items were ranked.")
    labelled: int = Field(description="How many corrections analysts have recorded for this task.")
    items: list[QueuedItem]


class CorrectionOut(BaseModel):
    """One recorded correction."""

    item_id: int
    task: str
    label: str
    previous: str = Field(description="What the model had said.")
    analyst: str
    created_at: datetime | None

    @classmethod
    def of(cls, correction: LabelCorrection) -> CorrectionOut:
        return cls(
            item_id=correction.item_id,
            task=correction.task,
            label=correction.label,
            previous=correction.previous,
            analyst=correction.analyst,
            created_at=correction.created_at,
        )


class ItemLabels(BaseModel):
    """Every label of one item, model and analyst, with the history of corrections."""

    item: ItemOut
    labels: list[ModelLabel]
    history: list[CorrectionOut]


class CorrectionIn(BaseModel):
    """An analyst's label for one task of an item."""

    task: str = Field(max_length=30, description="sentiment, toxicity, concern or scam.")
    label: str = Field(max_length=50, description="One of the task's labels (see /api/labels).")
