"""User lexicons: words and names a user wants restored more readily.

A user lexicon is a UTF-8 text file, one entry a line, ``#`` starting a comment::

    Nguyễn Lương Bằng
    Hải Phòng	2
    # weight: how many powers of ten likelier each syllable counts (default DEFAULT_WEIGHT)

Every accented syllable of an entry is favoured wherever it is a candidate: its score
gains ``weight × ln 10``.  The default weight is measured, not guessed: it is the
smallest that makes a favoured form win in most contexts where it is a candidate
(``benchmarks/userlex_weight.py``; the table is in README.md).  A lower weight tips
only close calls, a higher one forces the form almost everywhere.

What cannot be used is reported, never silently dropped: a word without diacritics
carries no spelling to favour (``Nam`` could be nam, năm, nằm), a word that is not a
Vietnamese syllable cannot be a candidate, and a syllable the model does not know cannot
be produced.  ``read_user_lexicon`` warns (``UserLexiconWarning``) about the first two;
``Restorer.unknown_user_forms`` lists the third.
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .orthography import has_accents, is_valid_syllable, normalize_syllable
from .tokenize import WORD, tokenize

DEFAULT_WEIGHT = 8.0  # measured: see the module docstring and README
NO_DIACRITICS = "no diacritics"
NOT_A_SYLLABLE = "not a Vietnamese syllable"
UNKNOWN_TO_MODEL = "unknown to the model"


class UserLexiconWarning(UserWarning):
    """Entries of a user lexicon that cannot be used (see ``Unusable``)."""


@dataclass(frozen=True)
class Unusable:
    """A word of a user lexicon that is not favoured, and why."""
    line: int      # line number in the file (0 when not from a file)
    word: str
    reason: str    # NO_DIACRITICS, NOT_A_SYLLABLE or UNKNOWN_TO_MODEL


def parse_user_lexicon(path: str | Path) -> tuple[dict[str, float], list[Unusable]]:
    """Syllable (lower case, canonical tone placement) -> score bonus in natural log, and
    the words that cannot be used."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    bonuses: dict[str, float] = {}
    unusable: list[Unusable] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words, _, weight_text = line.partition("\t")
        try:
            weight = float(weight_text) if weight_text.strip() else DEFAULT_WEIGHT
        except ValueError:
            raise InputError(f"{path}:{number}: weight {weight_text.strip()!r} is not a number") from None
        if not math.isfinite(weight):
            raise InputError(f"{path}:{number}: weight must be a finite number")
        for token in tokenize(unicodedata.normalize("NFC", words)):
            if token.kind != WORD:
                continue
            form = token.text.lower()
            if not is_valid_syllable(form):
                unusable.append(Unusable(number, token.text, NOT_A_SYLLABLE))
            elif not has_accents(form):
                unusable.append(Unusable(number, token.text, NO_DIACRITICS))
            else:
                form = normalize_syllable(form)
                bonuses[form] = max(bonuses.get(form, -math.inf), weight * math.log(10))
    return bonuses, unusable


def read_user_lexicon(path: str | Path) -> dict[str, float]:
    """The bonuses of a user lexicon file; a ``UserLexiconWarning`` per kind of word that
    cannot be used (see ``parse_user_lexicon`` for the list itself)."""
    bonuses, unusable = parse_user_lexicon(path)
    for message in describe(path, unusable):
        warnings.warn(message, UserLexiconWarning, stacklevel=2)
    return bonuses


def unknown_forms(bonuses: dict[str, float], known) -> list[Unusable]:
    """The favoured syllables for which `known(form)` is false (not in the model)."""
    return [Unusable(0, form, UNKNOWN_TO_MODEL) for form in sorted(bonuses) if not known(form)]


def describe(path: str | Path, unusable: list[Unusable], shown: int = 10) -> list[str]:
    """One message per reason: how many words, and the first `shown` of them."""
    messages = []
    for reason in (NO_DIACRITICS, NOT_A_SYLLABLE, UNKNOWN_TO_MODEL):
        entries = [u for u in unusable if u.reason == reason]
        if entries:
            listed = ", ".join(f"{u.word} (line {u.line})" if u.line else u.word for u in entries[:shown])
            more = f", and {len(entries) - shown} more" if len(entries) > shown else ""
            messages.append(f"{path}: {len(entries)} word(s) {reason}, not favoured: {listed}{more}")
    return messages
