"""Learning the OCR error model of ``vnrestore.ocrmodel`` from OCR'd line pairs.

``vnrestore.ocrmodel`` describes the model (the generative story, the smoothing, the row
kinds of the table) and scores with it; this module estimates it.

Training (``build_confusions``): OCR'd line pairs ``{"gold": ..., "ocr": ...}`` (JSON
lines, xz-compressed), both NFC, are tokenized with ``vnrestore.tokenize``; the gold and
OCR token sequences are aligned by a weighted edit distance (substitution cost =
normalised Levenshtein distance between the accent-stripped gold and the OCR text; a gold
token may also match up to three OCR tokens written without a space between them, as
when a symbol breaks an OCR word: "ti¢n" is three tokens).  Aligned pairs whose gold
is a Vietnamese syllable and whose OCR text is close enough (Levenshtein ≤ max(1, 0.6 ×
length)) are the training word pairs.  Character
edits are then learned by iterated Viterbi re-estimation: pass 1 aligns letters with
fixed costs (identity and accent-stripping free, anything else 1, two-character outputs
and merges 1.5), each later pass re-aligns with ``-log P`` of the model re-estimated from
the previous pass's alignments.  Rare entries are pruned; their mass goes to the
smoothing ("<other>") so the distributions still sum to one.

The result is a ``ConfusionTable``, written as a reviewable TSV by
``ConfusionTable.write_tsv``.  Rebuild the shipped table (deterministic, byte-identical
output) from the repository root with::

    benchmarks/ocr_pairs/make.sh /work/ocrdata     # more pairs, from corpus text (once)
    python -m vnrestore.ocrlearn ../shared/ocr/train-*.jsonl.xz \
        /work/ocrdata/train-{bw300,fast200,freeserif200,freeserif300bwfast,tinos300}.jsonl \
        -o lexicon/ocr-confusions.tsv

(``lexicon/PROVENANCE.md`` lists the inputs and their hashes.)
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
from functools import lru_cache
from pathlib import Path

from .model import file_sha256
from .ocrmodel import (
    ANY,
    BASE,
    INS,
    KEY,
    LENS,
    MAX_OUT,
    MERGE,
    OTHER,
    SAME,
    STOP,
    UNK,
    ConfusionTable,
    family_of,
)
from .ocrfile import sorted_rows
from .orthography import is_valid_syllable, key, strip_accents
from .tokenize import NEWLINE, SPACE, WORD, tokenize

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
    return ConfusionTable(rows=sorted_rows(rows), inputs=inputs, word_pairs=sum(pairs.values()),
                          smoothing=smoothing, stats=stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vnrestore.ocrlearn",
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
