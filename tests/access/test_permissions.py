"""The permission table: administrators hold everything, viewers read, unit officers are scoped."""

from __future__ import annotations

from civicpulse.access.permissions import PERMISSIONS, Permission, Principal, Role, allows, parse_units


def test_administrators_hold_every_permission() -> None:
    assert PERMISSIONS[Role.ADMINISTRATOR] == frozenset(Permission)


def test_every_role_may_manage_its_own_account_and_only_admins_manage_users() -> None:
    for role in Role:
        assert allows(role, Permission.MANAGE_OWN_ACCOUNT)
        assert allows(role, Permission.MANAGE_USERS) == (role == Role.ADMINISTRATOR)
        assert allows(role, Permission.READ_AUDIT) == (role == Role.ADMINISTRATOR)


def test_viewers_read_and_collaborators_report() -> None:
    assert PERMISSIONS[Role.VIEWER] == {Permission.VIEW_DASHBOARD, Permission.MANAGE_OWN_ACCOUNT}
    assert not allows(Role.COLLABORATOR, Permission.VIEW_DASHBOARD)
    assert allows(Role.COLLABORATOR, Permission.SUBMIT_FIELD_REPORTS)
    assert allows(Role.ANALYST, Permission.LOAD_DEMO)
    assert not allows(Role.UNIT_OFFICER, Permission.LOAD_DEMO)
    assert not allows("mayor", Permission.VIEW_DASHBOARD)


def test_unit_officers_see_only_their_units() -> None:
    officer = Principal(1, "lan", Role.UNIT_OFFICER, units=("26734",))
    analyst = Principal(2, "minh", Role.ANALYST)
    assert officer.sees_unit("26734")
    assert not officer.sees_unit("26737")
    assert officer.sees_any(["26737", "26734"])
    assert not officer.sees_any([])
    assert analyst.sees_unit("26737")


def test_unit_lists_are_parsed_sorted_and_deduplicated() -> None:
    assert parse_units("26737, 26734 26737,") == ("26734", "26737")
    assert parse_units(["26734", " "]) == ("26734",)


def test_docs_access_md_shows_the_table_of_the_code() -> None:
    from pathlib import Path

    from civicpulse.access.permissions import markdown_table

    docs = Path(__file__).resolve().parents[2] / "docs" / "access.md"
    assert markdown_table() in docs.read_text(encoding="utf-8")
