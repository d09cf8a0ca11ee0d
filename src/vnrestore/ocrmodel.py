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
read by ``ConfusionTable.write_tsv`` / ``ConfusionTable.read_tsv``.  It is learned from
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

from .errors import ModelError
from .orthography import key, split_tone

FORMAT = "vnrestore-ocr-confusions"
FORMAT_VERSION = 1

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


def _escape(text: str) -> str:
    if text == "":
        return EPS
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def _unescape(text: str) -> str:
    if text == EPS:
        return ""
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1:i + 2] == "\\":
            out.append("\\")
            i += 2
        elif ch == "\\" and text[i + 1:i + 2] == "u":
            out.append(chr(int(text[i + 2:i + 6], 16)))
            i += 6
        elif ch == "\\" and text[i + 1:i + 2] == "U":
            out.append(chr(int(text[i + 2:i + 10], 16)))
            i += 10
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _is_special(symbol: str) -> bool:
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
            if _is_family(gold):
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

    # ---- files -------------------------------------------------------------------

    def write_tsv(self, path: Path | str) -> None:
        """Write the table as a sorted, commented TSV (deterministic)."""
        path = Path(path)
        lines = [
            f"# {FORMAT} {FORMAT_VERSION}",
            "# OCR error model of vnrestore (see vnrestore/ocrmodel.py for the row kinds).",
            "# Rebuild: python -m vnrestore.ocrlearn PAIRS... -o lexicon/ocr-confusions.tsv (the pair files: lexicon/PROVENANCE.md)",
        ]
        for name, digest in self.inputs:
            lines.append(f"# input: {name} sha256={digest}")
        lines.append(f"# word_pairs: {self.word_pairs}")
        if self.stats:
            lines.append("# stats: " + " ".join(f"{k}={v}" for k, v in self.stats.items()))
        lines.append(f"# smoothing: {self.smoothing}")
        lines.append(f"# rows: {len(self.rows)}")
        lines.append("# columns: gold, ocr, count, logprob (natural log)")
        lines.append("gold\tocr\tcount\tlogprob")
        for gold, ocr, count, logprob in sorted_rows(self.rows):
            lines.append(f"{_escape(gold)}\t{_escape(ocr) if not _is_special(ocr) else ocr}"
                         f"\t{count}\t{logprob:.5f}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read_tsv(cls, path: Path | str) -> ConfusionTable:
        """Read a table written by ``write_tsv``; raises ``ModelError`` naming the file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the OCR confusion table ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise ModelError(f"{path}: not a UTF-8 OCR confusion table") from None
        lines = text.split("\n")
        first = lines[0].split() if lines else []
        if len(first) != 3 or first[0] != "#" or first[1] != FORMAT:
            raise ModelError(f"{path}: not an OCR confusion table (no '# {FORMAT} <version>' first line)")
        if first[2] != str(FORMAT_VERSION):
            raise ModelError(
                f"{path}: OCR confusion table format version {first[2]}, this vnrestore reads "
                f"version {FORMAT_VERSION}; rebuild it with python -m vnrestore.ocrlearn")
        inputs, word_pairs, smoothing, stats = [], 0, "", {}
        rows = []
        row_count = None  # "# rows: N", written since the reader checks it
        header_seen = False
        for number, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            if line.startswith("#"):
                body = line[1:].strip()
                if body.startswith("input: "):
                    name, _, digest = body[len("input: "):].rpartition(" sha256=")
                    inputs.append((name, digest))
                elif body.startswith("word_pairs: "):
                    word_pairs = int(body.split(": ", 1)[1])
                elif body.startswith("smoothing: "):
                    smoothing = body.split(": ", 1)[1]
                elif body.startswith("rows: ") and body[6:].isdigit():
                    row_count = int(body[6:])
                elif body.startswith("stats: "):
                    for item in body.split(": ", 1)[1].split():
                        k, _, v = item.partition("=")
                        stats[k] = int(v)
                continue
            if not header_seen:
                if line != "gold\tocr\tcount\tlogprob":
                    raise ModelError(f"{path}:{number}: expected the column header "
                                     "'gold<TAB>ocr<TAB>count<TAB>logprob'")
                header_seen = True
                continue
            parts = line.split("\t")
            try:
                gold, ocr, count, logprob = parts
                rows.append((gold if _is_special(gold) else _unescape(gold),
                             "" if ocr == EPS else ocr if _is_special(ocr) else _unescape(ocr),
                             int(count), float(logprob)))
            except ValueError:
                raise ModelError(f"{path}:{number}: expected 'gold<TAB>ocr<TAB>count<TAB>logprob'") from None
            _check_row(path, number, rows[-1])
        if not rows:
            raise ModelError(f"{path}: OCR confusion table has no rows")
        _check_whole(path, text, rows, row_count)
        return cls(rows=rows, inputs=inputs, word_pairs=word_pairs, smoothing=smoothing, stats=stats)

    def top_confusions(self, limit: int = 30) -> list[tuple[str, str, int, float]]:
        """The most frequent learned edits that change the letter (not identity, not
        plain accent loss), for review."""
        out = [r for r in self.rows
               if not _is_special(r[0]) and not _is_special(r[1]) and r[1] != r[0]
               and not (len(r[0]) == 1 and r[1] == key(r[0]))]
        out.sort(key=lambda r: (-r[2], r[0], r[1]))
        return out[:limit]


# Rows without which the channel is not a distribution: a table that lacks one is cut
# short or not written by write_tsv (its sections end with <ins>, <base> and <any>).
REQUIRED_ROWS = ((INS, STOP), (BASE, UNK), *((BASE, n) for n in LENS))


def _check_row(path: Path, number: int, row: tuple[str, str, int, float]) -> None:
    """One row's numbers: a count is never negative, a log-probability is finite (one
    nan would turn every score it touches into nan)."""
    _, _, count, logprob = row
    if count < 0:
        raise ModelError(f"{path}:{number}: negative count {count}")
    if not math.isfinite(logprob):
        raise ModelError(f"{path}:{number}: log-probability {logprob} is not a finite number")


def _check_whole(path: Path, text: str, rows, row_count: int | None) -> None:
    """Signs that the file was cut short: no final line end, fewer rows than its header
    says, or rows every table has missing."""
    if not text.endswith("\n"):
        raise ModelError(f"{path}: OCR confusion table truncated (its last line is incomplete)")
    if row_count is not None and row_count != len(rows):
        raise ModelError(f"{path}: OCR confusion table truncated ({len(rows)} rows, its header says {row_count})")
    present = {(gold, ocr) for gold, ocr, _, _ in rows}
    missing = [f"{gold} {ocr}" for gold, ocr in REQUIRED_ROWS if (gold, ocr) not in present]
    if missing:
        raise ModelError(f"{path}: OCR confusion table truncated or incomplete (no row {missing[0]})")


def _is_family(symbol: str) -> bool:
    return len(symbol) == 3 and symbol[0] == "<" and symbol[2] == ">"


def family_of(letter: str) -> str:
    """The tone family of a lower-case letter: the letter without its tone mark
    ("ủ" -> "u", "ử" -> "ư", "ế" -> "ê", "đ" -> "đ")."""
    return split_tone(letter)[0] if len(letter) == 1 else letter


def _row_order(row: tuple[str, str, int, float]) -> tuple:
    gold, ocr, count, _ = row
    if _is_family(gold):
        section, gold_key = 1, gold[1:-1]
    else:
        section = {INS: 2, BASE: 3, ANY: 4}.get(gold, 0)
        gold_key = gold
    return (section, len(gold) if section == 0 else 0, gold_key, not _is_special(ocr), -count, ocr)


def sorted_rows(rows):
    return sorted(rows, key=_row_order)
