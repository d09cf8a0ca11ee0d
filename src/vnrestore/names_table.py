"""The name table: how Vietnamese names spell a key, from lists of names rather than
running text.

A corpus has many names but misses most of the 10,000 communes, and its person names
are a few famous ones; so after a surname (Huỳnh Văn Tâm: Tâm, not Tám) or a unit word
(xã Thạnh Lợi) the LM's odds are thin.  ``lexicon/names.tsv`` (derived with ``python -m
vnrestore.gazetteer``; sources in lexicon/PROVENANCE.md) holds counts only: how many
administrative units bear a name ("place"), and how many people in a list bear a
surname, middle name or given name.  It is small and read on first use.

Shares are add-one smoothed over the forms a key has in the list, and are only offered
for keys the list knows, so a name the list lacks (Lường) is left to the LM.
"""

from __future__ import annotations

import math
import threading
from importlib import resources
from pathlib import Path

from .errors import ModelError
from .orthography import key, normalize_syllable

TABLE_FILE = "names.tsv"
HEADER = "# vnrestore names 1: kind<TAB>name<TAB>count"
KINDS = ("place", "surname", "middle", "given")


class NameTable:
    """Counts of name spellings by kind and key, with log-shares for the decoder."""

    def __init__(self, rows: list[tuple[str, str, int]]):
        # kind -> key -> {form: count}; place names by the keys of all their syllables
        self.parts: dict[str, dict[str, dict[str, int]]] = {k: {} for k in KINDS}
        self.places: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
        self._shares: dict[tuple, dict[str, float] | None] = {}  # answers so far (one dict store each)
        for kind, name, count in rows:
            forms = tuple(normalize_syllable(w.lower()) for w in name.split())
            if kind == "place":
                entry = self.places.setdefault(tuple(key(f) for f in forms), {})
                entry[forms] = entry.get(forms, 0) + count
                for form in forms:  # the syllables of place names, wherever they stand
                    _add(self.parts["place"], form, count)
            elif len(forms) == 1:
                _add(self.parts[kind], forms[0], count)

    def part_shares(self, kind: str, word_key: str) -> dict[str, float] | None:
        """log P(form | key) among the `kind` name parts ("": a form the list lacks),
        None if the list has no such key."""
        found = self._shares.get((kind, word_key), _MISSING)
        if found is _MISSING:
            forms = self.parts[kind].get(word_key)
            found = self._shares[kind, word_key] = _log_shares(forms) if forms else None
        return found

    def place_shares(self, keys: tuple[str, ...], at: int) -> dict[str, float] | None:
        """log P(form of syllable `at` | the keys of the whole name) among the units
        whose name has exactly these keys (Đông Hưng, Đồng Hưng ...), None if none has."""
        found = self._shares.get((keys, at), _MISSING)
        if found is not _MISSING:
            return found
        names = self.places.get(keys)
        forms: dict[str, int] = {}
        for spelled, count in (names or {}).items():
            forms[spelled[at]] = forms.get(spelled[at], 0) + count
        found = self._shares[keys, at] = _log_shares(forms) if forms else None
        return found

    @classmethod
    def read(cls, path: Path) -> "NameTable":
        rows = []
        try:
            with open(path, encoding="utf-8") as handle:
                if handle.readline().rstrip("\n") != HEADER:
                    raise ModelError(f"{path}: not a vnrestore name table (first line should be {HEADER!r})")
                for number, line in enumerate(handle, 2):
                    kind, name, count = (line.rstrip("\n").split("\t") + ["", ""])[:3]
                    if kind not in KINDS or not name or not count.isdigit():
                        raise ModelError(f"{path}:{number}: expected 'kind<TAB>name<TAB>count' "
                                         f"with kind one of {', '.join(KINDS)}")
                    rows.append((kind, name, int(count)))
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the name table ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise ModelError(f"{path}: not valid UTF-8 ({exc.reason})") from None
        return cls(rows)


_MISSING = object()
_PACKAGED: list[NameTable] = []
_LOCK = threading.Lock()


def packaged() -> NameTable:
    """The packaged table, read on first use (once, whatever the threads)."""
    with _LOCK:
        if not _PACKAGED:
            _PACKAGED.append(NameTable.read(Path(str(resources.files("vnrestore.lexicon"))) / TABLE_FILE))
        return _PACKAGED[0]


def _add(table: dict[str, dict[str, int]], form: str, count: int) -> None:
    forms = table.setdefault(key(form), {})
    forms[form] = forms.get(form, 0) + count


def _log_shares(forms: dict[str, int]) -> dict[str, float]:
    """log-shares of the forms, add-one smoothed; "" stands for any form the list lacks."""
    total = sum(forms.values()) + len(forms) + 1
    shares = {form: math.log((count + 1) / total) for form, count in forms.items()}
    shares[""] = math.log(1 / total)
    return shares
