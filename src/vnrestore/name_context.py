"""Which kind of name a capitalized word is, from the words around it.

Only the typed keys of the neighbours are used (their accents are what is being
decided): a run of capitalized words after a unit word (xã, phường, huyện, tỉnh, thôn,
ấp, bản ...) or before ", ngày" (an official document's date line) is a place's name;
a run that opens with a surname (Nguyễn, Trần, Huỳnh ...), or follows a word that
introduces a person (ông, bà, anh, chị, đồng chí ...), is a person's name: surname
first, given name last, middle names between.  A word whose sentence merely starts with
it is no evidence either way.  In ALL-CAPS every word is capitalized, so a run after a
unit word goes on past the name (XA DONG HUNG CONG HOA XA HOI): the place is its
longest start the table lists as a unit's name (before ", ngày": its longest end).
"""

from __future__ import annotations

from dataclasses import dataclass

from .names_table import NameTable
from .orthography import key
from .tokenize import WORD, Token

# Keys of the words after which a capitalized run names a place: the unit types of the
# gazetteer and those below a commune (thôn, ấp, bản, xóm, buôn, khóm).  A capitalized
# run is cut at one (UY BAN NHAN DAN XA DONG HUNG) unless it may be a name itself
# (Quan, Bản, Trần: quận, bản, thị trấn still open a place).
CUT_KEYS = frozenset("xa phuong huyen tinh thon ap xom buon khom".split())
UNIT_KEYS = CUT_KEYS | {"quan", "ban"}
UNITS = {"xa": "xã", "phuong": "phường", "huyen": "huyện", "tinh": "tỉnh", "thon": "thôn", "ap": "ấp",
         "xom": "xóm", "buon": "buôn", "khom": "khóm", "quan": "quận", "ban": "bản"}
TWO_WORD_UNITS = frozenset({("thi", "tran"), ("thanh", "pho"), ("thi", "xa")})
# The words that introduce a person's name, by key.
TITLES = {"ong": "ông", "ba": "bà", "anh": "anh", "chi": "chị", "em": "em", "co": "cô", "chu": "chú",
          "bac": "bác", "chau": "cháu", "thay": "thầy", "cu": "cụ", "be": "bé"}
PERSON_KEYS = frozenset(TITLES)
MAX_PERSON = 4  # syllables of a person's name (Tôn Nữ Thị Hà)
MAX_PLACE = 4


@dataclass(frozen=True)
class NameRole:
    kind: str                 # "place", "surname", "middle" or "given"
    shares: dict[str, float]  # log P(form | key) for this kind ("": a form the list lacks)


def name_role(tokens: list[Token], seg: list[int], k: int, table: NameTable) -> NameRole | None:
    """The kind of name position k of a segment is, if its neighbours say and the table
    knows its key; else None."""
    if not _capitalized(tokens[seg[k]]) or _key(tokens, seg, k) in CUT_KEYS:
        return None
    start, end = _run(tokens, seg, k)
    if k > start and _key(tokens, seg, start) in PERSON_KEYS:
        start += 1  # "Chị Phạm Thị Hằng" opening a sentence: the title is no part of the name
    before = _key(tokens, seg, start - 1)
    keys = tuple(_key(tokens, seg, j) for j in range(start, end))
    at = k - start
    after_unit = before in UNIT_KEYS or (_key(tokens, seg, start - 2), before) in TWO_WORD_UNITS
    dated = _dated(tokens, seg, end)
    if after_unit or dated:
        first, stop = _listed_place(keys, table, after_unit)
        if first <= at < stop:
            return NameRole("place", table.place_shares(keys[first:stop], at - first))
        if stop > first or dated or len(keys) <= MAX_PLACE:
            return None
    if len(keys) > MAX_PERSON:
        return None
    opens_with_surname = len(keys) >= 2 and table.part_shares("surname", keys[0]) is not None
    if not (opens_with_surname or before in PERSON_KEYS):
        return None
    if opens_with_surname:
        kind = "surname" if at == 0 else "given" if at == len(keys) - 1 else "middle"
    else:
        kind = "given" if at == len(keys) - 1 else "middle"
    shares = table.part_shares(kind, keys[at])
    return NameRole(kind, shares) if shares else None


def title_before_name(tokens: list[Token], seg: list[int], k: int, table: NameTable) -> str | None:
    """The title or unit word the word at position k is, if its key is one and a name of
    that kind follows: a person's full name after a title (chi Pham Thi Hang: chị, not
    chỉ), a place the table holds after a unit word (xa Khe Sanh: xã, not xa); else None."""
    if k + 1 >= len(seg) or not _capitalized(tokens[seg[k + 1]]):
        return None
    word_key = _key(tokens, seg, k)
    if word_key not in UNITS and word_key not in TITLES:
        return None
    end = _run_end(tokens, seg, k + 1)
    if word_key in UNITS:
        keys = tuple(_key(tokens, seg, j) for j in range(k + 1, end))
        first, stop = _listed_place(keys, table, True)
        return UNITS[word_key] if stop > first else None
    if not 2 <= end - (k + 1) <= MAX_PERSON:  # a title (the key is one of the two)
        return None
    return TITLES[word_key] if table.part_shares("surname", _key(tokens, seg, k + 1)) is not None else None


def _listed_place(keys: tuple[str, ...], table: NameTable, after_unit: bool) -> tuple[int, int]:
    """[first, stop) of the longest part of a run the table has as a unit's name: its
    start after a unit word, else its end (before ", ngày").  In an ALL-CAPS heading the
    run of capitals goes on past the name (PHUONG DONG THANH CONG HOA XA HOI), so the
    whole run is rarely one; (0, 0) if no part of up to MAX_PLACE words is listed."""
    for size in range(min(len(keys), MAX_PLACE), 0, -1):
        first = 0 if after_unit else len(keys) - size
        if table.places.get(keys[first:first + size]):
            return first, first + size
    return 0, 0


def _dated(tokens: list[Token], seg: list[int], end: int) -> bool:
    """Whether a run ending before position `end` is followed by ", ngày": the place of
    an official document's date line (Thạnh Lợi, ngày 05 tháng 3 năm 2025)."""
    return end + 1 < len(seg) and tokens[seg[end]].text == "," and _key(tokens, seg, end + 1) == "ngay"


def _capitalized(token: Token) -> bool:
    return token.kind == WORD and token.text[:1].isupper()


def _key(tokens: list[Token], seg: list[int], j: int) -> str | None:
    """The key of the word at position j of a segment (None: no word there)."""
    if not 0 <= j < len(seg) or tokens[seg[j]].kind != WORD:
        return None
    return key(tokens[seg[j]].text)


def _run(tokens: list[Token], seg: list[int], k: int) -> tuple[int, int]:
    """[start, end) of the run of capitalized words around position k, cut after a unit
    word (UY BAN NHAN DAN XA DONG HUNG: the run of DONG is DONG HUNG)."""
    start = k
    while start > 0 and _name_word(tokens, seg, start - 1):
        start -= 1
    return start, _run_end(tokens, seg, k)


def _run_end(tokens: list[Token], seg: list[int], k: int) -> int:
    end = k + 1
    while end < len(seg) and _name_word(tokens, seg, end):
        end += 1
    return end


def _name_word(tokens: list[Token], seg: list[int], j: int) -> bool:
    """Whether position j may belong to a name: capitalized, and no unit word."""
    return (_capitalized(tokens[seg[j]]) and _key(tokens, seg, j) not in CUT_KEYS
            and (_key(tokens, seg, j - 1), _key(tokens, seg, j)) not in TWO_WORD_UNITS)
