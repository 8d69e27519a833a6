"""Schemathesis over /api/openapi.json with an analyst's API token: no generated request gets a 5xx.

A few examples per operation keep it well under a minute; the showcase data gives the reads something to
find. Failures print the request that broke, to replay with curl.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import schemathesis
    from hypothesis import HealthCheck, given, settings

from civicpulse.access.control import AccessControl
from civicpulse.config import Settings, with_secrets
from civicpulse.pipeline.workbench import Workbench
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import open_store
from civicpulse.web.app import create_app
from tests.browser.showcase import load_showcase

EXAMPLES = 8


@pytest.fixture(scope="module")
def served_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """The app over the showcase, and an analyst's API token."""
    data = tmp_path_factory.mktemp("schema")
    config = with_secrets(
        Settings(
            data_dir=data, per_host_delay_s=0.0, argon2_time_cost=1, argon2_memory_kib=1024, _env_file=None
        )
    )
    store = open_store(f"sqlite:///{data / 'civicpulse.db'}", upgrade=True)
    load_showcase(config, store)
    access = AccessControl(store, config)
    user = access.tables.add_user("fuzz", "analyst", (), access.passwords.hash("x" * 20), access.clock())
    token, _ = access.tokens.create(user, "schemathesis")
    app = create_app(config, store, desk=ResponseDesk(config, store), workbench=Workbench(store))
    yield app, token
    store.close()


def test_no_generated_request_gets_a_server_error(served_api: tuple[Any, str]) -> None:
    app, token = served_api
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    broken: list[str] = []
    calls: list[int] = []
    # Revoking its own token or changing its password would leave the rest of the run signed out.
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.path.startswith("/api/account")
    ]
    assert len(operations) >= 40

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same requests every run, so a failure is reproducible
            database=None,
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            try:
                response = case.call(headers={"Authorization": f"Bearer {token}"})
            except Exception as exc:  # the test client re-raises what the app did not handle: a 500
                broken.append(f"{case.method} {case.formatted_path} {case.query}: {exc!r}"[:300])
                return
            calls.append(response.status_code)
            if response.status_code >= 500:
                broken.append(f"{case.method} {case.formatted_path} {case.query}: {response.text[:200]}")

        call()
    assert not broken, "\n".join(broken)
    assert len(calls) >= 2 * len(operations)
    assert any(code == 200 for code in calls)
