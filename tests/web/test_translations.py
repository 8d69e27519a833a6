"""Both languages have every UI string the templates use."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import get_args

import pytest

from civicpulse.models import SourceKind
from civicpulse.web.rendering import NAV
from civicpulse.web.schemas import SourceStatus

WEB = Path(__file__).resolve().parents[2] / "src" / "civicpulse" / "web"
LANGS = ("vi", "en")


def strings(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((WEB / "translations" / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(strings("vi")) == set(strings("en"))


@pytest.mark.parametrize("lang", LANGS)
def test_no_string_is_empty(lang: str) -> None:
    assert [k for k, v in strings(lang).items() if not v.strip()] == []


def test_placeholders_match_across_languages() -> None:
    vi, en = strings("vi"), strings("en")
    assert {k: placeholders(vi[k]) for k in vi} == {k: placeholders(en[k]) for k in vi}


def test_every_key_the_templates_use_exists() -> None:
    used = set()
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_.]*[a-z_])['"]""", template.read_text(encoding="utf-8")))
    # Keys built at render time from a prefix and a value.
    used |= {f"nav.{key}" for key, _ in NAV}
    used |= {f"status.{status}" for status in get_args(SourceStatus)}
    used |= {f"kind.{kind}" for kind in SourceKind}
    assert used - set(strings("vi")) == set()
