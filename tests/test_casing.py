"""apply_case carries the case shape of an input word onto its restored form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnrestore.casing import apply_case
from vnrestore.orthography import key

FORMS = ["công", "đảng", "người", "nghiêng", "thủy", "quốc", "ở", "đ", "giữa", "việt", "ủy", "đường"]


@pytest.mark.parametrize(
    "pattern, form, expected",
    [
        ("cong", "công", "công"),
        ("Cong", "công", "Công"),
        ("CONG", "công", "CÔNG"),
        ("cOnG", "công", "cÔnG"),
        ("CoNG", "công", "CôNG"),
        ("dang", "đảng", "đảng"),
        ("Dang", "đảng", "Đảng"),
        ("DANG", "đảng", "ĐẢNG"),
        ("dANG", "đảng", "đẢNG"),
        ("D", "đ", "Đ"),
        ("d", "đ", "đ"),
        ("O", "ở", "Ở"),
        ("NGUOI", "người", "NGƯỜI"),
        ("Nguoi", "người", "Người"),
        ("nguOI", "người", "ngưỜI"),
        ("THUY", "thủy", "THỦY"),
        ("Duong", "đường", "Đường"),
    ],
)
def test_apply_case(pattern, form, expected):
    assert apply_case(pattern, form) == expected


@given(st.sampled_from(FORMS), st.data())
@settings(max_examples=300, deadline=None)
def test_apply_case_copies_shape(form, data):
    plain = key(form)
    assert len(plain) == len(form)
    flags = data.draw(st.lists(st.booleans(), min_size=len(plain), max_size=len(plain)))
    pattern = "".join(c.upper() if f else c for c, f in zip(plain, flags))
    out = apply_case(pattern, form)
    # same letters as the form, same case shape as the pattern
    assert out.lower() == form
    assert [c.isupper() for c in out] == [c.isupper() for c in pattern]
    assert key(out) == key(pattern)
