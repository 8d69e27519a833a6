"""Topic syntax errors in the user's language: every problem the parser names has words in vi and en."""

from __future__ import annotations

import pytest

from civicpulse.config import Settings
from civicpulse.pipeline.workbench import Workbench
from civicpulse.store import Store
from civicpulse.web.app import create_app
from civicpulse.web.i18n import LANGUAGES, Translator, translations
from civicpulse.web.routes.topics import check
from tests.web.conftest import BASE_URL, TestClient, make_user, sign_in

# One wrong query per problem the parser can name, with the problem's code and where the caret goes.
WRONG = [
    ("   ", "empty", 0),
    ('ngập "Thủ Đức', "unclosed_quote", 5),
    ("ngập AND (mưa", "unclosed_paren", 9),
    ("ngập)", "unmatched_close", 4),
    ("ngập OR", "ends_early", 7),
    ("ngập AND OR mưa", "expected_term", 9),
    ("kẹt NEAR/0 xe", "near_distance", 4),
    ("kẹt NEAR/3 NOT xe", "expected_term", 11),
    ("(a AND b) NEAR/3 xe", "near_sides", 10),
    ("ng*p", "star", 0),
    ("ngập AND ---", "no_letters", 9),
]


@pytest.mark.parametrize(("query", "code", "position"), WRONG)
def test_every_problem_has_a_code_and_words_in_both_languages(
    sqlite_store: Store, query: str, code: str, position: int
) -> None:
    workbench = Workbench(sqlite_store)
    for lang in LANGUAGES:
        verdict = check(workbench, query, Translator(lang))
        assert (verdict.ok, verdict.code, verdict.position) == (False, code, position)
        assert f"topics.problem.{code}" in translations(lang)
        assert verdict.message and verdict.message != f"topics.problem.{code}"
    assert (
        check(workbench, query, Translator("vi")).message != check(workbench, query, Translator("en")).message
    )


def test_unexpected_names_the_token_in_the_users_language(sqlite_store: Store) -> None:
    named = check(Workbench(sqlite_store), "ngập AND )", Translator("en"))
    assert named.message == "expected a word, phrase or '(' but found ')'"
    assert check(Workbench(sqlite_store), "ngập AND )", Translator("vi")).message == (
        "cần một từ, cụm từ hoặc '(' nhưng gặp ')'"
    )


def test_the_live_check_and_the_page_answer_in_the_accounts_language(
    settings: Settings, sqlite_store: Store
) -> None:
    app = create_app(settings, sqlite_store, workbench=Workbench(sqlite_store))
    with TestClient(app, base_url=BASE_URL) as client:
        make_user(client, "ana", "analyst")
        sign_in(client, "ana")
        wrong = {"q": 'ngập AND ("Thủ Đức"'}
        vi = client.get("/api/topics/check", params=wrong).json()
        assert (vi["code"], vi["position"], vi["message"]) == (
            "unclosed_paren",
            9,
            "dấu '(' này chưa được đóng",
        )
        assert vi["problem"] == "this '(' is never closed"  # the API keeps the English words too
        page = client.post("/topics", data={"name": "Ngập", "query": wrong["q"], "action": "save"})
        assert "Lỗi cú pháp: dấu &#39;(&#39; này chưa được đóng (cột 10)" in page.text
        client.patch("/api/me", json={"language": "en"})
        en = client.get("/api/topics/check", params=wrong).json()
        assert en["message"] == "this '(' is never closed"
        page = client.post("/topics", data={"name": "Ngập", "query": wrong["q"], "action": "save"})
        assert "Syntax error: this &#39;(&#39; is never closed (column 10)" in page.text
