"""Items in languages outside the platform's twelve: filtered, validated, shown in both UI languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civicpulse.config import Settings
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store
from civicpulse.web.app import create_app
from tests import factories
from tests.web.conftest import BASE_URL, TestClient, signed_in

TEXTS = {
    "es": "Inundaciones en Valencia: el agua entra en las casas del barrio",
    "de": "Hochwasser in Dresden: die Elbe steigt weiter, Keller werden geräumt",
    "vi": "Nước ngập sâu ở phường Linh Xuân sau cơn mưa chiều nay",
}


@pytest.fixture
def languages_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """A signed-in client over a store whose Spanish, German and Vietnamese items went through the pipe."""
    items = [factories.item(text, url=f"u:{lang}") for lang, text in TEXTS.items()]
    lay_pipe(settings, sqlite_store).submit(sqlite_store.add_items(items))
    with TestClient(create_app(settings, sqlite_store), base_url=BASE_URL) as client:
        yield signed_in(client)


def test_the_api_filters_and_validates_other_languages(languages_client: TestClient) -> None:
    stories = languages_client.get("/api/stories", params={"language": "es"}).json()
    assert [s["langs"] for s in stories["stories"]] == [["es"]]
    assert stories["filters"]["lang"] == "es"
    found = languages_client.get("/api/search", params={"q": "Dresden", "language": "de"})
    assert found.status_code == 200
    assert len(found.json()["items"]) == 1
    assert (
        languages_client.get("/api/search", params={"q": "Dresden", "language": "es"}).json()["items"] == []
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_filter_on_another_language_shows_its_code_in_both_interface_languages(
    languages_client: TestClient, lang: str
) -> None:
    for path, params in (("/stories", {}), ("/search", {"q": "Valencia"})):
        page = languages_client.get(path, params={**params, "language": "es", "lang": lang})
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.text
        assert '<option value="es" selected>ES</option>' in page.text
        assert page.text.count('<option value="es"') == 1
    unfiltered = languages_client.get("/stories", params={"lang": lang}).text
    assert '<option value="es"' not in unfiltered and '<option value="vi">VI</option>' in unfiltered
