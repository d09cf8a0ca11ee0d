"""Names for the build: a gazetteer of administrative units and person-name parts, read
as extra segments of LM symbols ("xã ^đông ^hưng , huyện ^tiền ^hải").

Names are where a restorer has the least context (Hà, Hạ, Hả): the corpus has many
names but misses most of the 10,000 communes, and a name it never saw capitalized
(Thạnh, Nà, Bưa) is never offered as a name.  Counted like corpus text, a few times
each (``build --gazetteer-weight``), the gazetteer makes the names candidates, gives
their name symbols priors, and teaches the words that introduce them (xã, phường,
huyện, tỉnh) what follows.  Unit types are common words (lower case), name syllables
are name symbols, as ``build._symbolize_lines`` writes them in running text.

Files read from the folder (``shared/lexicon/names/``, see its SOURCES.md):
``names-admin-*.txt`` (one path a line: "Xã Mộc Bắc, Thị xã Duy Tiên, Tỉnh Hà Nam"),
``names-person-given-combos.txt`` (one given name a line) and
``names-person-{surnames,middle,given}.txt`` (``name<TAB>count``; each part once).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .errors import InputError
from .names_table import HEADER
from .orthography import is_valid_syllable, normalize_syllable
from .segment import CAPITALIZED_MARK

# Unit types, longest first, as they open a unit's name.
UNIT_TYPES = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")


def _name_symbols(words: list[str]) -> list[str] | None:
    lower = [w.lower() for w in words]
    if not lower or not all(is_valid_syllable(w) for w in lower):
        return None  # a name with a digit or a foreign spelling (Quận 1, Ea H'leo)
    return [CAPITALIZED_MARK + normalize_syllable(w) for w in lower]


def unit_symbols(unit: str) -> list[str] | None:
    """"Xã Mộc Bắc" -> ["xã", "^mộc", "^bắc"]; None if it cannot be read."""
    words = unit.split()
    lower = unit.lower()
    for kind in UNIT_TYPES:
        if lower.startswith(kind + " "):
            n = len(kind.split())
            names = _name_symbols(words[n:])
            return None if names is None else [normalize_syllable(w) for w in kind.split()] + names
    return _name_symbols(words)


def read_segments(folder: Path) -> list[list[str]]:
    """Every distinct administrative path and person-name part of the folder, as LM
    symbol segments, in a deterministic order."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of name lists")
    found: dict[tuple[str, ...], None] = {}
    for path in sorted(folder.glob("names-admin-*.txt")):
        for line in _lines(path):
            parts = [unit_symbols(unit.strip()) for unit in line.split(",")]
            if parts and all(parts):
                found[tuple(s for k, p in enumerate(parts) for s in ([","] if k else []) + p)] = None
    for path in sorted(folder.glob("names-person-*.txt")):
        for line in _lines(path):
            names = _name_symbols(line.split("\t")[0].split())
            if names:
                found[tuple(names)] = None
    if not found:
        raise InputError(f"{folder}: no names-admin-*.txt or names-person-*.txt entries")
    return [list(segment) for segment in found]


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    return [unicodedata.normalize("NFC", line.strip()) for line in text.splitlines() if line.strip()]


# -- the packaged name table (lexicon/names.tsv), read at run time by names_table ------

NAME_TABLE_HEADER = HEADER  # the first line names_table checks
PERSON_KINDS = {"surnames": "surname", "middle": "middle", "given": "given"}


def unit_name(unit: str) -> str | None:
    """"Xã Mộc Bắc" -> "Mộc Bắc": the name of a unit without its type (None if it has
    a digit or a foreign spelling, or is no more than a type)."""
    lower = unit.lower()
    words = unit.split()
    for kind in UNIT_TYPES:
        if lower.startswith(kind + " "):
            words = words[len(kind.split()):]
            break
    return " ".join(words) if words and _name_symbols(words) else None


def name_table_rows(folder: Path) -> list[tuple[str, str, int]]:
    """The rows of the name table: ("place", unit name, how many units bear it) for the
    first unit of every line of ``names-admin-*.txt`` (each line is one unit; a unit
    that kept its name through 2025 counts twice), and (surname|middle|given, part,
    count) from ``names-person-*.txt``.  Counts only: no full person names."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of name lists")
    places: dict[str, int] = {}
    for path in sorted(folder.glob("names-admin-*.txt")):
        for line in _lines(path):
            name = unit_name(line.split(",")[0].strip())
            if name:
                places[name] = places.get(name, 0) + 1
    rows = [("place", name, count) for name, count in sorted(places.items(), key=lambda e: (-e[1], e[0]))]
    for part, kind in PERSON_KINDS.items():
        path = folder / f"names-person-{part}.txt"
        if not path.is_file():
            raise InputError(f"{path}: missing name list")
        for number, line in enumerate(_lines(path), 1):
            name, _, count = line.partition("\t")
            if not count.strip().isdigit():
                raise InputError(f"{path}:{number}: expected 'name<TAB>count'")
            if _name_symbols(name.split()):
                rows.append((kind, name, int(count)))
    return rows


def write_name_table(folder: Path, out: Path) -> int:
    """Write the name table derived from `folder` to `out`; returns its number of rows."""
    rows = name_table_rows(folder)
    out.write_text(NAME_TABLE_HEADER + "\n" + "".join(f"{k}\t{n}\t{c}\n" for k, n, c in rows), encoding="utf-8")
    return len(rows)


if __name__ == "__main__":  # python -m vnrestore.gazetteer ../shared/lexicon/names lexicon/names.tsv
    import sys

    print(write_name_table(Path(sys.argv[1]), Path(sys.argv[2])), "rows")
