"""Carry the case shape of an input word over to its restored form.

Restored forms come from the lexicon in lower case; the input decides how they are
written: "CONG" -> "CÔNG", "Cong" -> "Công", "cong" -> "công", and any other mix is
copied letter by letter (an accent-stripped key and its accented form have the same
number of characters in NFC, so positions line up).
"""

from __future__ import annotations


def apply_case(pattern: str, form: str) -> str:
    """Write lower-case `form` with the case shape of `pattern`."""
    if pattern.islower():
        return form
    if pattern.isupper():
        # "Đ".isupper() is True, and a one-letter word like "A" is upper too.
        return form.upper()
    if pattern[:1].isupper() and pattern[1:].islower():
        return form[:1].upper() + form[1:]
    if len(pattern) != len(form):
        return form
    return "".join(f.upper() if p.isupper() else f for p, f in zip(pattern, form))
