"""User lexicons: words and names a user wants restored more readily.

A user lexicon is a UTF-8 text file, one entry a line, ``#`` starting a comment::

    Nguyễn Lương Bằng
    Hải Phòng	2
    # weight: how many powers of ten likelier each syllable counts (default 1)

Every accented syllable of an entry is favoured wherever it is a candidate: its score
gains ``weight × ln 10``.  Syllables the model does not know cannot be produced; they
are reported rather than silently ignored.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from .errors import InputError
from .orthography import is_valid_syllable, normalize_syllable
from .tokenize import WORD, tokenize

DEFAULT_WEIGHT = 1.0


def read_user_lexicon(path: str | Path) -> dict[str, float]:
    """Syllable (lower case, canonical tone placement) -> score bonus in natural log."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    bonuses: dict[str, float] = {}
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
            form = token.text.lower()
            if token.kind == WORD and not form.isascii() and is_valid_syllable(form):
                form = normalize_syllable(form)
                bonuses[form] = max(bonuses.get(form, -math.inf), weight * math.log(10))
    return bonuses
