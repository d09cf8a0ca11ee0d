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

Training (``build_confusions``): OCR'd line pairs ``{"gold": ..., "ocr": ...}`` (JSON
lines, xz-compressed), both NFC, are tokenized with ``vnrestore.tokenize``; the gold and
OCR token sequences are aligned by a weighted edit distance (substitution cost =
normalised Levenshtein distance between the accent-stripped gold and the OCR text; a gold
token may also match up to three OCR tokens written without a space between them, as
when a symbol breaks an OCR word: "ti¢n" is three tokens).  Aligned pairs whose gold is a Vietnamese syllable and whose OCR text is close
enough (Levenshtein ≤ max(1, 0.6 × length)) are the training word pairs.  Character
edits are then learned by iterated Viterbi re-estimation: pass 1 aligns letters with
fixed costs (identity and accent-stripping free, anything else 1, two-character outputs
and merges 1.5), each later pass re-aligns with ``-log P`` of the model re-estimated from
the previous pass's alignments.  Rare entries are pruned; their mass goes to the
smoothing ("<other>") so the distributions still sum to one.

The table is a reviewable TSV (``gold, ocr, count, logprob``, natural logs), written and
read by ``ConfusionTable.write_tsv`` / ``ConfusionTable.read_tsv``.  Rebuild the shipped
table (deterministic, byte-identical output) from the repository root with::

    python -m vnrestore.ocrmodel ../shared/ocr/train-*.jsonl.xz -o lexicon/ocr-confusions.tsv
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ModelError
from .model import file_sha256
from .orthography import is_valid_syllable, key, split_tone, strip_accents
from .tokenize import NEWLINE, SPACE, WORD, tokenize

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
MAX_GLUE = 3         # OCR tokens (without space between) one gold token may match
UNKNOWN_CHARS = 1000  # size assumed for the alphabet of OCR characters never seen
PASSES = 4
MIN_COUNT = 2        # entries seen fewer times are pruned (left to the smoothing)
MIN_MERGE = 5        # a letter pair must merge this often to be allowed to merge at all

_GAP = 0.6           # word alignment: cost of an unmatched gold or OCR token
_GLUE = 0.05         # word alignment: extra cost per additional glued OCR token
_KEEP = 0.6          # keep a word pair when Levenshtein <= max(1, _KEEP * length)

try:  # optional speed-up of the word alignment; the pure-Python path gives equal results
    from rapidfuzz.distance import Levenshtein as _RFLevenshtein
except ImportError:  # pragma: no cover - depends on the environment
    _RFLevenshtein = None


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
        self._cached = lru_cache(maxsize=1 << 18)(self._word_logprob)

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
        """P(OCR substring | gold letter, or gold letter pair when merged)."""
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
            "# Rebuild: python -m vnrestore.ocrmodel ../shared/ocr/train-*.jsonl.xz -o lexicon/ocr-confusions.tsv",
        ]
        for name, digest in self.inputs:
            lines.append(f"# input: {name} sha256={digest}")
        lines.append(f"# word_pairs: {self.word_pairs}")
        if self.stats:
            lines.append("# stats: " + " ".join(f"{k}={v}" for k, v in self.stats.items()))
        lines.append(f"# smoothing: {self.smoothing}")
        lines.append("# columns: gold, ocr, count, logprob (natural log)")
        lines.append("gold\tocr\tcount\tlogprob")
        for gold, ocr, count, logprob in _sorted_rows(self.rows):
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
                f"version {FORMAT_VERSION}; rebuild it with python -m vnrestore.ocrmodel")
        inputs, word_pairs, smoothing, stats = [], 0, "", {}
        rows = []
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
        if not rows:
            raise ModelError(f"{path}: OCR confusion table has no rows")
        return cls(rows=rows, inputs=inputs, word_pairs=word_pairs, smoothing=smoothing, stats=stats)

    def top_confusions(self, limit: int = 30) -> list[tuple[str, str, int, float]]:
        """The most frequent learned edits that change the letter (not identity, not
        plain accent loss), for review."""
        out = [r for r in self.rows
               if not _is_special(r[0]) and not _is_special(r[1]) and r[1] != r[0]
               and not (len(r[0]) == 1 and r[1] == key(r[0]))]
        out.sort(key=lambda r: (-r[2], r[0], r[1]))
        return out[:limit]


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


def _sorted_rows(rows):
    return sorted(rows, key=_row_order)


# --------------------------------------------------------------------------- reading pairs


def read_pairs(pair_files: Iterable[Path]) -> Iterable[tuple[str, str]]:
    """(gold, ocr) NFC line pairs from xz-compressed (or plain) JSON-lines files."""
    for path in pair_files:
        path = Path(path)
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                gold, ocr = record.get("gold"), record.get("ocr")
                if not isinstance(gold, str) or not isinstance(ocr, str):
                    continue
                yield unicodedata.normalize("NFC", gold), unicodedata.normalize("NFC", ocr)


@lru_cache(maxsize=1 << 17)
def _levenshtein(a: str, b: str) -> int:
    if _RFLevenshtein is not None:
        return _RFLevenshtein.distance(a, b)
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _content_tokens(text: str):
    """Non-space tokens as (text, kind, glued to the previous token)."""
    out = []
    last_end = None
    for token in tokenize(text):
        if token.kind in (SPACE, NEWLINE):
            continue
        out.append((token.text, token.kind, last_end == token.start))
        last_end = token.end
    return out


def align_words(gold: str, ocr: str) -> list[tuple[str, str, str]]:
    """Align the token sequences of a gold line and its OCR line.

    Returns the matched pairs ``(gold token text, gold token kind, OCR text)``; the OCR
    text may join up to ``MAX_GLUE`` OCR tokens written without a space between them.
    """
    gtoks = _content_tokens(gold)
    otoks = _content_tokens(ocr)
    gkeys = [key(t).lower() for t, _, _ in gtoks]
    olow = [t.lower() for t, _, _ in otoks]
    n, m = len(gtoks), len(otoks)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            if i < n and c + _GAP < cost[i + 1][j]:
                cost[i + 1][j] = c + _GAP
                back[i + 1][j] = (1, 0)
            if j < m and c + _GAP < cost[i][j + 1]:
                cost[i][j + 1] = c + _GAP
                back[i][j + 1] = (0, 1)
            if i < n:
                text = ""
                for k in range(1, MAX_GLUE + 1):
                    if j + k > m or (k > 1 and not otoks[j + k - 1][2]):
                        break
                    text += olow[j + k - 1]
                    a = gkeys[i]
                    d = _levenshtein(a, text) / max(len(a), len(text))
                    total = c + d + _GLUE * (k - 1)
                    if total < cost[i + 1][j + k]:
                        cost[i + 1][j + k] = total
                        back[i + 1][j + k] = (1, k)
    pairs = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]
        if di and dj:
            pairs.append((gtoks[i - 1][0], gtoks[i - 1][1],
                          "".join(t for t, _, _ in otoks[j - dj:j])))
        i, j = i - di, j - dj
    pairs.reverse()
    return pairs


def word_pairs(line_pairs: Iterable[tuple[str, str]]) -> tuple[Counter, dict[str, int]]:
    """Training word pairs ``Counter({(gold syllable, ocr text): n})`` (original case)
    and statistics about them."""
    pairs: Counter = Counter()
    stats = Counter()
    for gold, ocr in line_pairs:
        stats["lines"] += 1
        matched = align_words(gold, ocr)
        syllables = sum(1 for t in _content_tokens(gold) if t[1] == WORD and is_valid_syllable(t[0].lower()))
        stats["gold_syllables"] += syllables
        for gtext, gkind, otext in matched:
            if gkind != WORD or not is_valid_syllable(gtext.lower()):
                continue
            a, b = key(gtext).lower(), otext.lower()
            if _levenshtein(a, b) > max(1.0, _KEEP * max(len(a), len(b))):
                stats["dropped_far"] += 1
                continue
            stats["used"] += 1
            if otext == gtext:
                stats["exact"] += 1
            elif otext == strip_accents(gtext):
                stats["stripped"] += 1
            elif otext.lower() == gtext.lower():
                stats["exact_ci"] += 1
            elif otext.lower() == key(gtext):
                stats["stripped_ci"] += 1
            else:
                stats["other_noise"] += 1
            if strip_accents(gtext) != gtext:
                stats["used_accented"] += 1
            pairs[(gtext, otext)] += 1
    stats["unmatched_gold_syllables"] = stats["gold_syllables"] - stats["used"] - stats["dropped_far"]
    return pairs, dict(sorted(stats.items()))


# --------------------------------------------------------------------------- training


class _InitialScorer:
    """Pass-1 costs as probabilities: identity and accent-stripping free, any other
    one-letter edit or deletion or insertion e^-1, two-letter outputs and merges e^-1.5."""

    p_stop = 1.0

    def p_emit(self, gold: str, text: str) -> float:
        if len(gold) == 2:
            return math.exp(-1.5) if len(text) == 1 else 0.0
        if text == gold or text == key(gold):
            return 1.0
        return math.exp(-1.0) if len(text) <= 1 else math.exp(-1.5)

    def p_merge(self, pair: str) -> float:
        return 1.0  # any pair may merge in pass 1 (the merge itself carries the cost)

    def p_ins(self, ch: str) -> float:
        return math.exp(-1.0)


def _viterbi(scorer, o: str, g: str):
    """Best edit path of OCR `o` from gold `g` (both lower case) under `scorer`.

    Returns a list of operations: ("ins", ch), ("emit", gold letter, text, decision),
    ("merge", gold pair, text); `decision` is True when the letter stood before another
    letter and could have merged with it.
    """
    n, m = len(g), len(o)
    first_pass = isinstance(scorer, _InitialScorer)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 1.0
    stop = scorer.p_stop
    ins = [scorer.p_ins(ch) for ch in o]
    for i in range(n + 1):
        row = best[i]
        gi = g[i] if i < n else ""
        pair = g[i:i + 2] if i + 1 < n else ""
        pm = scorer.p_merge(pair) if pair else 0.0
        pn = 1.0 if first_pass else 1.0 - pm
        for j in range(m + 1):
            f = row[j]
            if f == 0.0:
                continue
            if j < m:
                v = f * ins[j]
                if v > row[j + 1]:
                    row[j + 1] = v
                    back[i][j + 1] = ("ins", o[j])
            if i == n:
                continue
            fs = f * stop
            nxt = best[i + 1]
            for k in range(min(MAX_OUT, m - j) + 1):
                v = fs * pn * scorer.p_emit(gi, o[j:j + k])
                if v > nxt[j + k]:
                    nxt[j + k] = v
                    back[i + 1][j + k] = ("emit", gi, o[j:j + k], bool(pair))
            if pm and j < m:
                v = fs * pm * scorer.p_emit(pair, o[j])
                if v > best[i + 2][j + 1]:
                    best[i + 2][j + 1] = v
                    back[i + 2][j + 1] = ("merge", pair, o[j])
    if best[n][m] == 0.0:
        return None
    ops = []
    i, j = n, m
    while i or j:
        op = back[i][j]
        ops.append(op)
        if op[0] == "ins":
            j -= 1
        elif op[0] == "emit":
            i -= 1
            j -= len(op[2])
        else:
            i -= 2
            j -= 1
    ops.reverse()
    return ops


def _witten_bell(counts: dict[str, int], p0, total_p0: float, min_count: int):
    """Witten-Bell estimate of a distribution from `counts` towards base `p0`.

    Returns (kept {item: (count, prob)}, factor, types): unlisted items get
    ``factor * p0(item)``; pruned items' mass is in the factor, so the total stays one.
    """
    total = sum(counts.values())
    types = len(counts)
    kept = {}
    for item, c in counts.items():
        if c >= min_count:
            kept[item] = (c, (c + types * p0(item)) / (total + types))
    rest = 1.0 - sum(p for _, p in kept.values())
    free = total_p0 - sum(p0(item) for item in kept)
    factor = max(rest, 1e-12) / max(free, 1e-12)
    return kept, factor, types


def _estimate(pair_counts: dict[tuple[str, str], int], paths, min_count: int,
              min_merge: int) -> tuple[list, str]:
    """Rows of a ConfusionTable re-estimated from Viterbi paths."""
    emit: dict[str, Counter] = defaultdict(Counter)
    merged: dict[str, Counter] = defaultdict(Counter)
    decisions: Counter = Counter()
    ins: Counter = Counter()
    slots = 0
    chars: Counter = Counter()
    for (g, o), w in pair_counts.items():
        ops = paths[(g, o)]
        if ops is None:
            continue
        chars.update({ch: w * c for ch, c in Counter(o).items()})
        units = 0
        for op in ops:
            if op[0] == "ins":
                ins[op[1]] += w
            elif op[0] == "emit":
                emit[op[1]][op[2]] += w
                units += 1
            else:
                merged[op[1]][op[2]] += w
                units += 1
        slots += (units + 1) * w
        # merge decisions: every position that starts a unit and has a next letter
        i = 0
        for op in ops:
            if op[0] == "emit":
                if op[3]:
                    decisions[g[i:i + 2]] += w
                i += 1
            elif op[0] == "merge":
                decisions[op[1]] += w
                i += 2
    rows: list[tuple[str, str, int, float]] = []

    # base distribution P0: length prior from the distinct (gold, text) types,
    # character unigram of the OCR side with add-one and a reserve for unseen characters
    n_chars = sum(chars.values())
    denom = n_chars + len(chars) + UNKNOWN_CHARS
    base = {ch: (c + 1) / denom for ch, c in chars.items()}
    unk = 1 / denom
    len_types = [0, 0, 0]
    for row in emit.values():
        for text in row:
            len_types[len(text)] += 1
    lam = [(t + 1) / (sum(len_types) + 3) for t in len_types]

    def q(x: float) -> float:
        return float(f"{math.log(x):.5f}")

    # rounded values, as the table will hold them
    base_r = {ch: math.exp(q(p)) for ch, p in base.items()}
    unk_r = math.exp(q(unk))
    lam_r = [math.exp(q(x)) for x in lam]

    def p0(text: str) -> float:
        p = lam_r[len(text)]
        for ch in text:
            p *= base_r.get(ch, unk_r)
        return p

    def p0_char(text: str) -> float:
        return base_r.get(text, unk_r)

    for ch, c in chars.items():
        rows.append((BASE, ch, c, q(base[ch])))
    rows.append((BASE, UNK, 0, q(unk)))
    for k in range(3):
        rows.append((BASE, LENS[k], len_types[k], q(lam[k])))

    # tone families (the letter without its tone mark), Witten-Bell towards P0
    families: dict[str, Counter] = defaultdict(Counter)
    for g, counts in emit.items():
        families[family_of(g)].update(counts)
    fam_prob: dict[str, tuple[dict[str, float], float]] = {}
    for f, counts in families.items():
        kept, factor, types = _witten_bell(counts, p0, 1.0, min_count)
        for text, (c, p) in kept.items():
            rows.append((f"<{f}>", text, c, q(p)))
        rows.append((f"<{f}>", OTHER, types, q(factor)))
        fam_prob[f] = ({text: math.exp(q(p)) for text, (_, p) in kept.items()}, math.exp(q(factor)))

    # single letters, Witten-Bell towards their tone family
    same = keyed = rest = 0
    for g, counts in emit.items():
        listed, fam_factor = fam_prob[family_of(g)]

        def p_fam(text: str, listed=listed, fam_factor=fam_factor) -> float:
            p = listed.get(text)
            return p if p is not None else fam_factor * p0(text)

        kept, factor, types = _witten_bell(counts, p_fam, 1.0, min_count)
        for text, (c, p) in kept.items():
            rows.append((g, text, c, q(p)))
        rows.append((g, OTHER, types, q(factor)))
        for text, c in counts.items():
            if text == g:
                same += c
            elif text == key(g):
                keyed += c
            else:
                rest += c
    total = same + keyed + rest
    # unseen gold letters: pooled identity / accent-loss rates, the rest spread by P0
    rows.append((ANY, SAME, same, q((same + 1) / (total + 3))))
    rows.append((ANY, KEY, keyed, q((keyed + 1) / (total + 3))))
    rows.append((ANY, OTHER, rest, q((rest + 1) / (total + 3))))

    # merges (many-to-one): only pairs that merged at least min_merge times
    for pair, counts in merged.items():
        n_merged = sum(counts.values())
        if n_merged < min_merge:
            continue
        rows.append((pair, MERGE, n_merged, q(n_merged / (decisions[pair] + 1))))
        kept, factor, types = _witten_bell(counts, p0_char, 1.0, min_count)
        for text, (c, p) in kept.items():
            rows.append((pair, text, c, q(p)))
        rows.append((pair, OTHER, types, q(factor)))

    # insertions: geometric number per slot, characters Witten-Bell towards the unigram
    n_ins = sum(ins.values())
    p_ins = (n_ins + 1) / (n_ins + slots + 2)
    kept, factor, types = _witten_bell(ins, p0_char, 1.0, min_count)
    for ch, (c, p) in kept.items():
        rows.append((INS, ch, c, q(p_ins * p)))
    rows.append((INS, OTHER, types, q(p_ins * factor)))
    rows.append((INS, STOP, slots, q(1 - p_ins)))

    smoothing = (f"Witten-Bell: letter -> tone family -> P0 = length prior x add-one OCR character unigram "
                 f"(+{UNKNOWN_CHARS} unseen characters); pruned count<{min_count}; merges need "
                 f">={min_merge}; {PASSES} Viterbi passes")
    return rows, smoothing


def build_confusions(pair_files: list[Path], *, passes: int = PASSES, min_count: int = MIN_COUNT,
                     min_merge: int = MIN_MERGE, log=None) -> ConfusionTable:
    """Learn the OCR channel from (gold, OCR) line pairs in xz JSON-lines files."""
    pair_files = [Path(p) for p in pair_files]
    pairs, stats = word_pairs(read_pairs(pair_files))
    if not pairs:
        raise ValueError("no usable (gold syllable, OCR word) pairs in " + ", ".join(map(str, pair_files)))
    lower: Counter = Counter()
    for (g, o), c in pairs.items():
        lower[(unicodedata.normalize("NFC", g.lower()), o.lower())] += c
    items = sorted(lower.items())
    scorer = _InitialScorer()
    rows: list = []
    smoothing = ""
    for number in range(passes):
        paths = {(g, o): _viterbi(scorer, o, g) for (g, o), _ in items}
        rows, smoothing = _estimate(dict(items), paths, min_count, min_merge)
        scorer = ConfusionTable(rows=rows)
        if log:
            log(f"pass {number + 1}: {len(rows)} rows")
    inputs = [(p.name, file_sha256(p)) for p in pair_files]
    return ConfusionTable(rows=_sorted_rows(rows), inputs=inputs, word_pairs=sum(pairs.values()),
                          smoothing=smoothing, stats=stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vnrestore.ocrmodel",
        description="Learn the OCR error model from (gold, ocr) JSON-lines pair files.")
    parser.add_argument("pairs", nargs="+", type=Path, help="*.jsonl.xz files with gold and ocr fields")
    parser.add_argument("-o", "--output", type=Path, required=True, help="TSV to write")
    parser.add_argument("--passes", type=int, default=PASSES)
    parser.add_argument("--min-count", type=int, default=MIN_COUNT)
    args = parser.parse_args(argv)
    files = sorted(args.pairs, key=lambda p: p.name)
    table = build_confusions(files, passes=args.passes, min_count=args.min_count,
                             log=lambda msg: print(msg, file=sys.stderr))
    table.write_tsv(args.output)
    print(f"{args.output}: {len(table.rows)} rows from {table.word_pairs} word pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
