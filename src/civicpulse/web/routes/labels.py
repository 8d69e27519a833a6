"""Labelling: analysts correct any label of an item, and label first the items the models were unsure of.

Corrections go to `item_labels` (store/labels.py), which `civicpulse train TASK --from-store` trains on. The
queue is active learning by margin sampling over the newest unlabelled items; the ranking itself belongs to
the classifiers and comes through the workbench.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from civicpulse.access.permissions import Permission, Principal
from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.labels import LabelCorrection, LabelTables
from civicpulse.web.auth import record, require, safe_next
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.label_schemas import (
    CorrectionIn,
    CorrectionOut,
    ItemLabels,
    LabelQueue,
    ModelLabel,
    QueuedItem,
)
from civicpulse.web.schemas import ItemOut
from civicpulse.web.workbench import Workbench, WorkbenchDep

router = APIRouter(tags=["labels"])
Labeller = Annotated[Principal, require(Permission.LABEL_ITEMS)]
TaskParam = Annotated[str, Query(max_length=30, description="sentiment, toxicity, concern or scam.")]
LimitParam = Annotated[int, Query(ge=1, le=100, description="Offer at most this many items.")]
SCAN = 2000  # the newest unlabelled items the queue ranks
MAX_ID = 2**62


def model_label(item: Item, task: str, choices: tuple[str, ...], analyst: str) -> ModelLabel:
    said: Any = item.enrichment.labels.get(task)
    said = said if isinstance(said, dict) else {}
    p = said.get("p")
    return ModelLabel(
        task=task,
        choices=list(choices),
        model_label=str(said.get("label", "")),
        p=float(p) if isinstance(p, int | float) else None,
        analyst_label=analyst,
    )


def task_choices(workbench: Workbench, task: str) -> tuple[str, ...]:
    tasks = workbench.label_tasks()
    if task not in tasks:
        raise HTTPException(422, f"Unknown task {task!r}; choose one of: {', '.join(tasks)}.")
    return tasks[task]


def queue(store: Store, workbench: Workbench, task: str, limit: int) -> LabelQueue:
    """The `limit` most uncertain of the newest unlabelled items for `task`."""
    choices = task_choices(workbench, task)
    tables = LabelTables(store)
    pool = tables.unlabelled_recent(task, SCAN)
    ranked = workbench.most_uncertain(pool, task, limit)
    return LabelQueue(
        task=task,
        tasks=list(workbench.label_tasks()),
        scanned=len(pool),
        labelled=tables.count(task),
        items=[
            QueuedItem(item=ItemOut.of(item), label=model_label(item, task, choices, ""), uncertainty=score)
            for item, score in ranked
        ],
    )


def item_labels(store: Store, workbench: Workbench, item_id: int) -> ItemLabels:
    """Every task's model and analyst label of one item; 404 when there is no such item."""
    tables = LabelTables(store)
    item = tables.labelled_item(item_id) if 0 < item_id < MAX_ID else None
    if item is None or item.id is None:
        raise HTTPException(404, f"No item has id {item_id}; find items at /api/search.")
    labels = [
        model_label(item, task, choices, tables.current([item.id], task).get(item.id, ""))
        for task, choices in workbench.label_tasks().items()
    ]
    history = [CorrectionOut.of(c) for c in tables.history(item.id)]
    return ItemLabels(item=ItemOut.of(item), labels=labels, history=history)


def correct(
    request: Request,
    *,
    store: Store,
    workbench: Workbench,
    principal: Principal,
    item_id: int,
    body: CorrectionIn,
) -> CorrectionOut:
    """Record an analyst's label (kept with what the model said) and audit it."""
    choices = task_choices(workbench, body.task)
    if body.label not in choices:
        raise HTTPException(
            422, f"{body.label!r} is not a {body.task} label; use one of: {', '.join(choices)}."
        )
    current = item_labels(store, workbench, item_id)
    previous = next(x.model_label for x in current.labels if x.task == body.task)
    correction = LabelCorrection(item_id, body.task, body.label, previous, principal.username)
    LabelTables(store).add(correction)
    record(
        request,
        principal,
        "label.correct",
        f"item:{item_id}",
        task=body.task,
        label=body.label,
        previous=previous,
    )
    return CorrectionOut.of(LabelTables(store).history(item_id)[-1])


@router.get("/labels", include_in_schema=False)
def queue_page(
    request: Request,
    *,
    store: StoreDep,
    pages: PagesDep,
    workbench: WorkbenchDep,
    _principal: Labeller,
    task: TaskParam = "sentiment",
    limit: LimitParam = 20,
) -> Response:
    try:
        data = queue(store, workbench, task, limit)
    except HTTPException:
        return pages.not_found(request, "labels")
    return pages.render(
        request,
        "labels.html",
        data=data,
        done=request.query_params.get("done", ""),
        active="labels",
        api_url=f"/api/labels?task={task}",
    )


@router.get("/api/labels", response_model=LabelQueue)
def queue_api(
    store: StoreDep,
    workbench: WorkbenchDep,
    _principal: Labeller,
    task: TaskParam = "sentiment",
    limit: LimitParam = 20,
) -> LabelQueue:
    """List the recent items the `task` model was least sure of (label these first), most uncertain first."""
    return queue(store, workbench, task, limit)


@router.get("/labels/items/{item_id}", include_in_schema=False)
def item_page(
    request: Request,
    item_id: int,
    store: StoreDep,
    pages: PagesDep,
    workbench: WorkbenchDep,
    _principal: Labeller,
) -> Response:
    try:
        data = item_labels(store, workbench, item_id)
    except HTTPException:
        return pages.not_found(request, "labels")
    return pages.render(
        request,
        "label_item.html",
        data=data,
        done=request.query_params.get("done", ""),
        active="labels",
        api_url=f"/api/items/{item_id}/labels",
    )


@router.get("/api/items/{item_id}/labels", response_model=ItemLabels)
def item_api(item_id: int, store: StoreDep, workbench: WorkbenchDep, _principal: Labeller) -> ItemLabels:
    """Show every label of one item (the models' and the analysts'), with the corrections so far."""
    return item_labels(store, workbench, item_id)


@router.post("/labels/items/{item_id}", include_in_schema=False)
def correct_form(
    request: Request,
    item_id: int,
    *,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Labeller,
    task: Annotated[str, Form(max_length=30)] = "",
    label: Annotated[str, Form(max_length=50)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    correct(
        request,
        store=store,
        workbench=workbench,
        principal=principal,
        item_id=item_id,
        body=CorrectionIn(task=task, label=label),
    )
    target = safe_next(back) if back else f"/labels/items/{item_id}"
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{joiner}done={item_id}", status_code=303)


@router.post("/api/items/{item_id}/labels", response_model=CorrectionOut, status_code=201)
def correct_api(
    request: Request,
    item_id: int,
    *,
    body: CorrectionIn,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Labeller,
) -> CorrectionOut:
    """Correct one label of an item; `civicpulse train TASK --from-store` learns from these."""
    return correct(request, store=store, workbench=workbench, principal=principal, item_id=item_id, body=body)
