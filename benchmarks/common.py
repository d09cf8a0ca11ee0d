"""Shared helpers for the benchmarks: where the data is, how outputs are compared."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Callable

from vnrestore.orthography import is_valid_syllable, normalize_syllable, strip_accents
from vnrestore.pipeline import Restorer
from vnrestore.tokenize import WORD, tokenize

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNRESTORE_SHARED", ROOT.parent / "shared"))


def need_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmark data not found: {path} (set VNRESTORE_SHARED to the shared/ folder)")
    return path


DEV_SETS = ["legal", "vanban", "wiki", "news", "reports"]


def set_arguments(parser) -> None:
    """The options of a benchmark over the development sets: --sets and --model."""
    parser.add_argument("--sets", nargs="+", default=DEV_SETS)
    parser.add_argument("--model", default=None, help="model directory (default: packaged)")


def dev_set(name: str) -> str:
    """The gold text of a development set (``eval/dev/NAME.txt``): for measuring only."""
    return need_shared("eval", "dev", f"{name}.txt").read_text(encoding="utf-8")


def number_or_none(text: str) -> float | None:
    """An option value on the command line: a number, or 'none' for an option turned off."""
    return None if text.lower() == "none" else float(text)


def option_rows(shipped: Restorer, option: str, values: list | None, off: str) -> list[tuple[str, Callable]]:
    """A (label, restore) row per value of the cost ``Options.<option>`` (default: None
    and the shipped value), over the shipped restorer's model; None is labelled `off`."""
    ship = getattr(shipped.options, option)
    values = values if values is not None else [None, ship]
    return [(f"vnrestore, {option} {v}" + (" (shipped)" if v == ship else f" ({off})" if v is None else ""),
             Restorer(shipped.model, **{option: v}).restore) for v in dict.fromkeys(values)]


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text) if t.kind == WORD]


def syllable_key(word: str) -> str:
    """Comparison form: lower case, canonical tone placement (style-insensitive)."""
    return normalize_syllable(word.lower())


def compare(gold: str, output: str) -> tuple[int, int]:
    """(correct, total) over the gold's Vietnamese syllables, aligned word by word."""
    gold_words, out_words = words(gold), words(output)
    if len(gold_words) != len(out_words):
        raise AssertionError("output does not align with gold word by word")
    correct = total = 0
    for g, o in zip(gold_words, out_words):
        if is_valid_syllable(g.lower()):
            total += 1
            correct += syllable_key(g) == syllable_key(o)
    return correct, total


def word_key(word: str) -> tuple[str, str]:
    """Comparison form of any word: a syllable with its tone placement normalised, and
    the word's case pattern (so HĐND vs HDND and ủy vs Ủy both count as errors)."""
    shape = "".join("U" if c.isupper() else "l" for c in word)
    lower = word.lower()
    return (normalize_syllable(lower) if is_valid_syllable(lower) else lower), shape


def compare_words(gold: str, output: str) -> tuple[int, int]:
    """(correct, total) over every alphabetic word of the gold (syllables, abbreviations,
    foreign words), case-sensitive, tone placement ignored: closer to counting whitespace
    tokens than `compare`, which counts only the gold's Vietnamese syllables."""
    gold_words, out_words = words(gold), words(output)
    if len(gold_words) != len(out_words):
        raise AssertionError("output does not align with gold word by word")
    pairs = [(g, o) for g, o in zip(gold_words, out_words) if g.isalpha()]
    return sum(word_key(g) == word_key(o) for g, o in pairs), len(pairs)


PIECE_WORDS = 330  # a report's mean length (eval/dev/README.md: ~60 documents, 19,920 words)


def documents(name: str, text: str) -> list[str]:
    """The set's documents, as ``eval/dev/sources.tsv`` lists their lines; a set it does
    not list (reports) is cut at line ends into pieces of about PIECE_WORDS words, its
    mean document length, so that no document memory ever spans more than a document's
    worth of text (pieces cut documents too: that understates the memory, never flatters)."""
    lines = text.splitlines(keepends=True)
    sizes = [int(row["lines"]) for row in _sources() if row["set"] == name]
    if not sizes:
        pieces, current, count = [], [], 0
        for line in lines:
            current.append(line)
            count += len(line.split())
            if count >= PIECE_WORDS:
                pieces.append("".join(current))
                current, count = [], 0
        return pieces + (["".join(current)] if current else [])
    if sum(sizes) != len(lines):
        sys.exit(f"{SHARED / 'eval' / 'dev' / 'sources.tsv'}: {sum(sizes)} lines listed for {name}, "
                 f"the set has {len(lines)}")
    starts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    return ["".join(lines[a:b]) for a, b in zip(starts[:-1], starts[1:])]


def _sources() -> list[dict]:
    with open(need_shared("eval", "dev", "sources.tsv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def stripped(text: str) -> str:
    return strip_accents(text)
