"""The labelling screen: the most uncertain recent items first, corrections kept, audited, trainable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civicpulse.config import Settings
from civicpulse.pipeline.workbench import Workbench
from civicpulse.store import Store
from civicpulse.store.access import AccessTables
from civicpulse.store.labels import LabelTables
from civicpulse.understand.classify.uncertainty import margin_uncertainty
from civicpulse.web.app import create_app
from tests.browser.showcase import load_showcase
from tests.web.conftest import BASE_URL, TestClient, make_user, sign_in


@pytest.fixture
def app_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    load_showcase(settings, sqlite_store)
    app = create_app(settings, sqlite_store, workbench=Workbench(sqlite_store))
    with TestClient(app, base_url=BASE_URL) as client:
        make_user(client, "ana", "analyst")
        yield sign_in(client, "ana")


def test_the_queue_offers_the_most_uncertain_items_first(app_client: TestClient, sqlite_store: Store) -> None:
    queue = app_client.get("/api/labels", params={"task": "sentiment", "limit": 10}).json()
    assert queue["scanned"] > 10 and len(queue["items"]) == 10
    scores = [q["uncertainty"] for q in queue["items"]]
    assert scores == sorted(scores, reverse=True)
    # Nothing left out of the pool was less sure than the last one offered.
    pool = LabelTables(sqlite_store).unlabelled_recent("sentiment")
    margins = sorted(
        (margin_uncertainty(i.enrichment.labels["sentiment"]["probs"]) for i in pool), reverse=True
    )
    assert scores == pytest.approx(margins[:10])
    assert queue["items"][0]["label"]["choices"] == ["negative", "neutral", "positive"]


def test_a_correction_is_kept_audited_and_leaves_the_queue(
    app_client: TestClient, sqlite_store: Store
) -> None:
    first = app_client.get("/api/labels", params={"task": "toxicity"}).json()["items"][0]
    item_id = first["item"]["id"]
    model = first["label"]["model_label"]
    choice = "hate" if model != "hate" else "clean"
    saved = app_client.post(f"/api/items/{item_id}/labels", json={"task": "toxicity", "label": choice})
    assert saved.status_code == 201
    assert (saved.json()["previous"], saved.json()["label"], saved.json()["analyst"]) == (
        model,
        choice,
        "ana",
    )
    again = app_client.get("/api/labels", params={"task": "toxicity"}).json()
    assert item_id not in [q["item"]["id"] for q in again["items"]]
    assert again["labelled"] == 1
    labels = {x["task"]: x for x in app_client.get(f"/api/items/{item_id}/labels").json()["labels"]}
    assert labels["toxicity"]["analyst_label"] == choice
    assert labels["sentiment"]["analyst_label"] == ""
    audit = [e for e in AccessTables(sqlite_store).audit_entries() if e.action == "label.correct"]
    assert [(e.target, e.details["label"], e.details["previous"]) for e in audit] == [
        (f"item:{item_id}", choice, model)
    ]
    # What `civicpulse train toxicity --from-store` reads.
    [(_title, _text, label)] = LabelTables(sqlite_store).latest("toxicity")
    assert label == choice


def test_the_form_corrects_any_label_and_goes_back(app_client: TestClient, sqlite_store: Store) -> None:
    item_id = app_client.get("/api/labels", params={"task": "concern"}).json()["items"][0]["item"]["id"]
    page = app_client.get(f"/labels/items/{item_id}", params={"lang": "en"})
    assert page.status_code == 200
    assert 'data-task="scam"' in page.text and "Request for help" in page.text
    moved = app_client.post(
        f"/labels/items/{item_id}",
        data={"task": "concern", "label": "question", "back": "/labels?task=concern"},
        follow_redirects=False,
    )
    assert moved.headers["location"] == f"/labels?task=concern&done={item_id}"
    app_client.post(f"/labels/items/{item_id}", data={"task": "concern", "label": "complaint"})
    history = app_client.get(f"/api/items/{item_id}/labels").json()["history"]
    assert [h["label"] for h in history] == ["question", "complaint"]  # every correction kept
    assert LabelTables(sqlite_store).current([item_id], "concern") == {item_id: "complaint"}
    assert "Phàn nàn" in app_client.get(f"/labels/items/{item_id}", params={"lang": "vi"}).text


def test_wrong_tasks_labels_and_items_are_refused_and_nothing_is_kept(
    app_client: TestClient, sqlite_store: Store
) -> None:
    item_id = app_client.get("/api/labels").json()["items"][0]["item"]["id"]
    wrong_label = app_client.post(
        f"/api/items/{item_id}/labels", json={"task": "sentiment", "label": "angry"}
    )
    assert wrong_label.status_code == 422 and "negative, neutral, positive" in wrong_label.json()["detail"]
    wrong_task = app_client.post(f"/api/items/{item_id}/labels", json={"task": "mood", "label": "x"})
    assert wrong_task.status_code == 422
    assert (
        app_client.post("/api/items/999999/labels", json={"task": "scam", "label": "scam"}).status_code == 404
    )
    assert app_client.get("/api/labels", params={"task": "mood"}).status_code == 422
    assert app_client.get("/labels", params={"task": "mood"}).status_code == 404
    assert all(LabelTables(sqlite_store).count(t) == 0 for t in ("sentiment", "scam"))


def test_the_queue_page_is_keyboard_ready_in_both_languages(app_client: TestClient) -> None:
    vi = app_client.get("/labels", params={"task": "sentiment", "lang": "vi"}).text
    assert vi.count('class="card label-item" tabindex="0"') == 20
    assert 'data-key="1"' in vi and "<kbd>3</kbd> Tích cực" in vi
    assert "/static/labels.js" in vi
    assert "keys 1–3 label the item in focus" in app_client.get("/labels", params={"lang": "en"}).text


@pytest.mark.parametrize("role", ["viewer", "unit_officer", "collaborator"])
def test_only_analysts_and_administrators_label(app_client: TestClient, role: str) -> None:
    app_client.post("/logout")
    make_user(app_client, f"x-{role}", role, ("26734",) if role == "unit_officer" else ())
    sign_in(app_client, f"x-{role}")
    assert app_client.get("/api/labels").status_code == 403
    assert app_client.post("/api/items/1/labels", json={"task": "scam", "label": "scam"}).status_code == 403
    assert 'href="/labels"' not in app_client.get("/account").text
