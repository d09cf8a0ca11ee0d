"""OCR error model: how an English-model OCR engine misreads Vietnamese syllables.

A noisy channel at the character level.  ``word_logprob(ocr, gold)`` is
``log P(ocr word | gold syllable)``: the probability that printing `gold` and running an
English OCR model over the scan gives `ocr` ("ciia" for "của", "Pang" for "Đảng", "x3"
for "xã", "16p" for "lớp").  A decoder combines it with the language model to pick, for
each OCR word, the syllable that best explains it.

The generative story, on lower-cased NFC letters (the gold letter is kept as the full
accented character, so "ế"→"é", "ệ"→"e", "ở"→"&" are separate, learned events):

* the gold syllable is read left to right; before every gold letter, and once at the
  end, the OCR engine may insert extra characters: a geometric number of them, each
  drawn from the insertion distribution (``<ins>`` rows; ``<stop>`` is the probability
  of inserting nothing more);
* each gold letter becomes an OCR substring of length 0 to 2 (``ủ``→``ii``, ``ư``→``ir``,
  ``ơ``→``d``, ``đ``→``p``, ``ê``→``é``, ``ă``→``i``, deletions ``→<eps>``) drawn from
  ``P(substring | gold letter)``;
* some adjacent gold letter pairs are read as one OCR character (many-to-one, e.g.
  ``ớc``→``e``): at a pair seen merging often enough, the merge happens with the learned
  probability (``<merge>`` rows) and one OCR character is drawn from the pair's own
  distribution.

``word_logprob`` sums over all the ways to produce the OCR string (forward algorithm over
the edit lattice), so any OCR string gets a finite score.  Smoothing is hierarchical
Witten-Bell: ``P(s | letter)`` backs off to ``P(s | tone family)`` (the letter without
its tone mark: ``ủ``, ``ú``, ``ũ``… share the family ``<u>``; ``ử``… share ``<ư>``), which
backs off to a base distribution ``P0`` over OCR substrings (a length prior
``<len0..2>`` times an add-one unigram of OCR characters with a reserve for characters
never seen, ``<base>`` rows).  Rows of a letter list its kept substrings; its ``<other>``
row is the factor applied to the next level for everything else, so each distribution
sums to one.  Gold letters never seen fall back to their family, or to the pooled
``<any>`` row (same letter / its accent-stripped letter / anything times P0).

The table is a reviewable TSV (``gold, ocr, count, logprob``, natural logs), written and
read by ``ConfusionTable.write_tsv`` / ``ConfusionTable.read_tsv`` (``vnrestore.ocrfile``).  It is learned from
OCR'd line pairs by ``vnrestore.ocrlearn``, which explains the training and rebuilds the
shipped table.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .orthography import key, split_tone


EPS = "<eps>"        # the empty OCR substring (a deletion)
OTHER = "<other>"    # factor for substrings not listed: P = exp(logprob) * P0(substring)
MERGE = "<merge>"    # probability that a gold letter pair is read as one OCR character
INS = "<ins>"        # gold column of the insertion rows
STOP = "<stop>"      # probability of inserting nothing (more) at a slot
BASE = "<base>"      # gold column of the base distribution P0 rows
UNK = "<unk>"        # base probability of one OCR character never seen in training
ANY = "<any>"        # gold column of the fallback for gold letters never seen
SAME = "<same>"      # ... OCR substring equal to the gold letter
KEY = "<key>"        # ... OCR substring equal to the accent-stripped gold letter
LENS = ("<len0>", "<len1>", "<len2>")

MAX_OUT = 2          # longest OCR substring a gold letter becomes
SELF_FLOOR = 0.05    # every letter is read as itself with at least this probability


# --------------------------------------------------------------------------- table


def is_special(symbol: str) -> bool:
    return len(symbol) > 2 and symbol.startswith("<") and symbol.endswith(">")


@dataclass
class ConfusionTable:
    """The learned OCR channel: rows ``(gold, ocr, count, logprob)`` plus provenance.

    ``rows`` is the whole model (see the module docstring for the row kinds); the fast
    lookup structures are compiled from it, so a table read back from its TSV scores
    exactly like the one that was written.
    """

    rows: list[tuple[str, str, int, float]]
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (file name, sha256)
    word_pairs: int = 0
    smoothing: str = ""
    stats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._compile()
        self._cached = lru_cache(maxsize=1 << 14)(self._word_logprob)  # size: peak RSS (README, speed)

    # ---- compile -----------------------------------------------------------------

    def _compile(self) -> None:
        emit: dict[str, dict[str, float]] = defaultdict(dict)
        other: dict[str, float] = {}
        merge: dict[str, float] = {}
        ins: dict[str, float] = {}
        base: dict[str, float] = {}
        lam = [0.0, 0.0, 0.0]
        anyrow: dict[str, float] = {}
        ins_other = 0.0
        stop = 1.0
        unk = 0.0
        fam_emit: dict[str, dict[str, float]] = defaultdict(dict)
        fam_other: dict[str, float] = {}
        for gold, ocr, _count, logprob in self.rows:
            p = math.exp(logprob)
            if is_family(gold):
                if ocr == OTHER:
                    fam_other[gold[1:-1]] = p
                else:
                    fam_emit[gold[1:-1]][ocr] = p
            elif gold == INS:
                if ocr == STOP:
                    stop = p
                elif ocr == OTHER:
                    ins_other = p
                else:
                    ins[ocr] = p
            elif gold == BASE:
                if ocr == UNK:
                    unk = p
                elif ocr in LENS:
                    lam[LENS.index(ocr)] = p
                else:
                    base[ocr] = p
            elif gold == ANY:
                anyrow[ocr] = p
            elif ocr == OTHER:
                other[gold] = p
            elif ocr == MERGE:
                merge[gold] = p
            else:
                emit[gold][ocr] = p
        self._emit = dict(emit)
        self._other = other
        self._fam_emit = dict(fam_emit)
        self._fam_other = fam_other
        self._memo: dict[tuple[str, str], float] = {}
        self._emit_rows: dict[str, dict[str, float]] = {}  # gold letter -> substring -> P, filled on use
        self._merge = merge
        self._merge_first = {bg[0] for bg in merge}
        self._ins = ins
        self._ins_other = ins_other
        self._stop = stop
        self._base = base
        self._unk = unk
        self._lam = lam
        self._any = (anyrow.get(SAME, 0.0), anyrow.get(KEY, 0.0), anyrow.get(OTHER, 0.0))

    # ---- probabilities -----------------------------------------------------------

    def p0(self, text: str) -> float:
        """Base probability of an OCR substring (length prior times character unigrams)."""
        base, unk = self._base, self._unk
        p = self._lam[len(text)] if len(text) <= MAX_OUT else 0.0
        for ch in text:
            p *= base.get(ch, unk)
        return p

    def p_family(self, family: str, text: str) -> float | None:
        """P(OCR substring | any letter of a tone family), or None for an unseen family."""
        row = self._fam_emit.get(family)
        if row is None:
            return None
        p = row.get(text)
        if p is not None:
            return p
        return self._fam_other.get(family, 0.0) * self.p0(text)

    def p_emit(self, gold: str, text: str) -> float:
        """P(OCR substring | gold letter, or gold letter pair when merged).

        A mixture of the learned distribution with reading the letter as itself
        (weight ``SELF_FLOOR``): the pairs were read by English models, which never
        print "đ" or "ư", but text from an engine that knows Vietnamese, or correct
        text, does; without the floor a correct "Độc" could only be an error."""
        p = self._p_learned(gold, text)
        if len(gold) == 1:
            return (1.0 - SELF_FLOOR) * p + (SELF_FLOOR if text == gold else 0.0)
        return p

    def _p_learned(self, gold: str, text: str) -> float:
        row = self._emit.get(gold)
        if row is not None:
            p = row.get(text)
            if p is not None:
                return p
        memo = self._memo.get((gold, text))
        if memo is not None:
            return memo
        p = self._p_emit_unlisted(gold, text, row is not None)
        if len(self._memo) < 1 << 18:
            self._memo[(gold, text)] = p
        return p

    def _p_emit_unlisted(self, gold: str, text: str, seen: bool) -> float:
        if len(gold) == 2:  # a merged letter pair: one OCR character, backing off to P0
            if not seen or len(text) != 1:
                return 0.0
            return self._other.get(gold, 0.0) * self._base.get(text, self._unk)
        fam = self.p_family(family_of(gold), text)
        if seen:
            return self._other.get(gold, 0.0) * (fam if fam is not None else self.p0(text))
        if fam is not None:  # letter never seen, but its tone family was
            return fam
        same, keyp, rest = self._any
        if text == gold:
            return same if key(gold) != gold else same + keyp
        if text == key(gold):
            return keyp
        return rest * self.p0(text)

    def p_merge(self, pair: str) -> float:
        return self._merge.get(pair, 0.0)

    def p_ins(self, ch: str) -> float:
        """P(insert this character at a slot) (includes the probability of inserting)."""
        p = self._ins.get(ch)
        if p is not None:
            return p
        return self._ins_other * self._base.get(ch, self._unk)

    @property
    def p_stop(self) -> float:
        return self._stop

    # ---- scoring -----------------------------------------------------------------

    def word_logprob(self, ocr: str, gold: str) -> float:
        """log P(ocr word | gold syllable), summed over all edit paths; case-insensitive."""
        return self._cached(ocr, gold)

    def _word_logprob(self, ocr: str, gold: str) -> float:
        o = unicodedata.normalize("NFC", ocr).lower()
        g = unicodedata.normalize("NFC", gold).lower()
        n, m = len(g), len(o)
        stop = self._stop
        p_emit = self.p_emit
        p_ins = self.p_ins
        merge = self._merge
        first = self._merge_first
        ins = [p_ins(ch) for ch in o]
        spans = [min(MAX_OUT, m - j) + 1 for j in range(m + 1)]  # substring lengths from j
        # forward[i][j]: probability of o[:j] from g[:i], at the slot before g[i]
        forward = [[0.0] * (m + 1) for _ in range(n + 1)]
        forward[0][0] = 1.0
        for i in range(n + 1):
            row = forward[i]
            gi = g[i] if i < n else ""
            pair = g[i:i + 2] if gi in first and i + 1 < n else ""
            pm = merge.get(pair, 0.0) if pair else 0.0
            nxt = forward[i + 1] if i < n else None
            # P(substring | gi) for this letter, memoised across calls: the inner loop
            # is the hot path of OCR mode, and a dict look-up costs less than a call.
            emits = self._emit_rows.get(gi)
            if emits is None:
                emits = self._emit_rows[gi] = {}
            for j in range(m + 1):
                f = row[j]
                if f == 0.0:
                    continue
                if j < m:
                    row[j + 1] += f * ins[j]
                if nxt is None:
                    continue
                fs = f * stop
                single = fs * (1.0 - pm)
                for k in range(spans[j]):
                    sub = o[j:j + k]
                    p = emits.get(sub)
                    if p is None:
                        p = emits[sub] = p_emit(gi, sub)
                    nxt[j + k] += single * p
                if pm and j < m:
                    forward[i + 2][j + 1] += fs * pm * p_emit(pair, o[j])
        total = forward[n][m] * stop
        return math.log(total) if total > 0.0 else -math.inf

    # ---- files (``ocrfile``) ------------------------------------------------------

    def write_tsv(self, path: Path | str) -> None:
        """Write the table as a sorted, commented TSV (deterministic)."""
        from .ocrfile import write_tsv

        write_tsv(self, path)

    @classmethod
    def read_tsv(cls, path: Path | str) -> ConfusionTable:
        """Read a table written by ``write_tsv``; raises ``ModelError`` naming the file."""
        from .ocrfile import read_tsv

        return read_tsv(path)

    def top_confusions(self, limit: int = 30) -> list[tuple[str, str, int, float]]:
        """The most frequent learned edits that change the letter (not identity, not
        plain accent loss), for review."""
        out = [r for r in self.rows
               if not is_special(r[0]) and not is_special(r[1]) and r[1] != r[0]
               and not (len(r[0]) == 1 and r[1] == key(r[0]))]
        out.sort(key=lambda r: (-r[2], r[0], r[1]))
        return out[:limit]


def is_family(symbol: str) -> bool:
    return len(symbol) == 3 and symbol[0] == "<" and symbol[2] == ">"


def family_of(letter: str) -> str:
    """The tone family of a lower-case letter: the letter without its tone mark
    ("ủ" -> "u", "ử" -> "ư", "ế" -> "ê", "đ" -> "đ")."""
    return split_tone(letter)[0] if len(letter) == 1 else letter
