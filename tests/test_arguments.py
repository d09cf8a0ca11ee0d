"""Wrong-type arguments raise TypeError/ValueError naming the argument, not an internal
message from deep inside ("object of type 'NoneType' has no len()")."""

from __future__ import annotations

import math

import pytest

import vnrestore
from vnrestore import Options, Restorer


@pytest.fixture(scope="module")
def restorer():
    return Restorer()


@pytest.mark.parametrize("value, kind, hint", [
    (None, "NoneType", ""), (b"cong hoa", "bytes", "decode it first"), (42, "int", ""), (["a"], "list", ""),
])
def test_restore_and_explain_need_a_str(restorer, value, kind, hint):
    for call in (restorer.restore, restorer.explain, vnrestore.restore, vnrestore.explain):
        with pytest.raises(TypeError, match=rf"text must be a str, not {kind}.*{hint}"):
            call(value)


def test_restore_lines_refuses_bytes(restorer):
    with pytest.raises(TypeError, match="lines must be an iterable of str, not bytes"):
        list(restorer.restore_lines(b"cong hoa\n"))
    with pytest.raises(TypeError, match="lines must be an iterable of str, not NoneType"):
        list(restorer.explain_lines(None))


@pytest.mark.parametrize("field, value, error, message", [
    ("beam", "8", TypeError, "Options.beam must be a whole number, not str '8'"),
    ("beam", 8.0, TypeError, "Options.beam must be a whole number"),
    ("beam", True, TypeError, "Options.beam must be a whole number"),
    ("beam", 0, ValueError, "beam"),
    ("max_candidates", None, TypeError, "Options.max_candidates must be a whole number"),
    ("style", 1, TypeError, "Options.style must be a string"),
    ("style", "older", ValueError, "style must be one of"),
    ("mode", None, TypeError, "Options.mode must be a string"),
    ("mode", "fast", ValueError, "mode must be one of"),
    ("name_weight", "0.5", TypeError, "Options.name_weight must be a number"),
    ("name_weight", -1, ValueError, "name_weight"),
    ("name_weight", math.nan, ValueError, "Options.name_weight must be a finite number"),
    ("channel_weight", [1], TypeError, "Options.channel_weight must be a number"),
    ("channel_weight", -0.5, ValueError, "channel_weight must not be negative"),
    ("keep_score", math.inf, ValueError, "Options.keep_score must be a finite number"),
    ("keep_score", "x", TypeError, "Options.keep_score must be a number"),
    ("caps_name_cost", math.inf, TypeError, "Options.caps_name_cost must be a finite number or None"),
    ("common_reading_cost", "x", TypeError, "Options.common_reading_cost must be a finite number or None"),
])
def test_every_options_field_is_checked(field, value, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
        Options(**{field: value})


def test_options_accept_ints_for_float_fields():
    assert Options(name_weight=1, keep_score=-10, channel_weight=2).keep_score == -10


def test_options_and_option_keywords_together_are_refused(restorer):
    with pytest.raises(TypeError, match="either options= or option keywords \\(style=...\\)"):
        Restorer(restorer.model, Options(), style="old")


def test_wrong_types_for_restorer_arguments(restorer):
    with pytest.raises(TypeError, match="options must be an Options, not dict"):
        Restorer(restorer.model, {"style": "old"})
    with pytest.raises(TypeError, match="model must be a Model, a model directory or None, not int"):
        Restorer(3)
    with pytest.raises(TypeError, match="user_lexicon must be a mapping, a file or None, not list"):
        Restorer(restorer.model, user_lexicon=["Hà"])


def test_keywords_alone_still_make_options(restorer):
    assert Restorer(restorer.model, style="old").options.style == "old"
