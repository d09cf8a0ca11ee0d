"""The README's Python examples say what restore() returns: keep them true."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import vnrestore

README = Path(__file__).resolve().parents[1] / "README.md"
# A call on one line, and on the next line the result as a Python literal comment.
EXAMPLE = re.compile(r"^(vnrestore\.restore\(.*\))[^\n]*\n# ('.*')$", re.MULTILINE)


def examples():
    if not README.exists():  # e.g. an installed copy of the tests
        return []
    return EXAMPLE.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples():
    if README.exists():
        assert len(examples()) >= 2


@pytest.mark.parametrize("call, expected", examples())
def test_readme_example(call, expected):
    assert eval(call, {"vnrestore": vnrestore}) == ast.literal_eval(expected)  # noqa: S307 (our README)
