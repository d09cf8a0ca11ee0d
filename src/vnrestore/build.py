"""Build the model files from a corpus: ``vnrestore build-model --corpus DIR --out DIR``.

Steps, all deterministic (sorted inputs, order-preserving workers, stable sorts):

1. Read every ``*.txt.xz`` / ``*.txt`` file of the corpus (one paragraph per line), NFC,
   tokenize and cut into segments exactly as the runtime does (``segment``), and map each
   content token to its LM symbol (syllables lower-cased, tone placed in the "new" style).
2. Vocabulary: special and punctuation symbols, then every valid syllable seen, most
   frequent first, then the syllables of the fallback inventory never seen (count 0),
   then "^form" for every form seen capitalized inside a sentence (names: see below).
3. Count n-grams of every order with numpy (ids packed into uint64 keys).
4. Interpolated modified Kneser-Ney (Chen & Goodman 1999) with three discounts per order,
   then count cut-offs per order; the mass of pruned n-grams goes back to their context
   through ARPA-style backoff weights recomputed on the pruned model, so every
   distribution still sums to one.
5. Write ``vocab.tsv`` (form, corpus count), ``lm.bin`` (arrays), optionally
   ``abbreviations.tsv`` (HDND -> HĐND, from an abbreviation list) and ``model.json``
   (format version, array layout, input hashes, counts, parameters, licences).
"""

from __future__ import annotations

import json
import lzma
import os
import shutil
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from . import __version__
from .errors import InputError
from .lm import ID_BITS, MAX_VOCAB, NgramLM, history_mask
from .model import (ABBREVIATIONS_FILE, FORMAT_VERSION, LM_FILE, META_FILE, OCR_FILE, VOCAB_FILE,
                    default_model_dir, file_sha256, write_arrays)
from .orthography import is_valid_syllable, normalize_syllable, strip_accents
from .segment import (BOS, CAPITALIZED_MARK, EOS, PUNCTUATION, SPECIAL_SYMBOLS, UNK,
                      capitalized_inside, segments, symbol)
from .tokenize import WORD, tokenize

DEFAULT_ORDER = 3
MAX_ORDER = 64 // ID_BITS
DEFAULT_CUTOFFS = {2: 1, 3: 2, 4: 2}
UNSPECIFIED_LICENCE = "not stated: the licences of the input corpora apply (see 'inputs')"
_LINES_PER_JOB = 4000
_NEVER = float(np.exp(-99.0))  # probability floor written for <s>, which is never predicted


def _log(message: str) -> None:
    print(f"[build {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _open_text(path: Path):
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _symbolize_lines(lines: list[str]) -> str:
    """Segments of a batch of corpus lines, one per output line, symbols space-separated."""
    out = []
    for line in lines:
        line = unicodedata.normalize("NFC", line.rstrip("\n"))
        tokens = list(tokenize(line))
        for seg in segments(tokens):
            symbols = []
            for k, i in enumerate(seg):
                sym = symbol(tokens[i])
                if tokens[i].kind == WORD and sym != UNK and capitalized_inside(tokens, seg, k):
                    sym = CAPITALIZED_MARK + sym
                symbols.append(sym)
            out.append(" ".join(symbols))
    return "\n".join(out)


def _batches(path: Path):
    try:
        with _open_text(path) as handle:
            batch = []
            for line in handle:
                batch.append(line)
                if len(batch) == _LINES_PER_JOB:
                    yield batch
                    batch = []
            if batch:
                yield batch
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    except (lzma.LZMAError, EOFError) as exc:
        raise InputError(f"{path}: not a readable .xz file ({exc})") from None


def read_corpus(paths: list[Path], jobs: int) -> tuple[list[str], list[np.ndarray]]:
    """Symbol table (first-seen order) and, per file, the id sequence of its segments,
    each segment written as <s> w1 .. wn </s>."""
    table: dict[str, int] = {s: i for i, s in enumerate(SPECIAL_SYMBOLS)}
    bos, eos = table[BOS], table[EOS]
    sequences = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path in paths:
            ids: list[int] = []
            for text in pool.map(_symbolize_lines, _batches(path), chunksize=4):
                for seg in text.split("\n"):
                    if not seg:
                        continue
                    ids.append(bos)
                    for sym in seg.split(" "):
                        idx = table.get(sym)
                        if idx is None:
                            idx = table[sym] = len(table)
                        ids.append(idx)
                    ids.append(eos)
            sequences.append(np.array(ids, dtype=np.int32))
            _log(f"read {path.name}: {len(ids):,} symbols")
    return list(table), sequences


def _is_marked(symbol: str) -> bool:
    return symbol.startswith(CAPITALIZED_MARK) and len(symbol) > len(CAPITALIZED_MARK)


def choose_vocab(symbols: list[str], counts: np.ndarray, fallback: list[str]) -> list[str]:
    """Specials and punctuation first, then syllables by count, then unseen fallbacks."""
    fixed = list(SPECIAL_SYMBOLS) + [p for p in PUNCTUATION if p not in SPECIAL_SYMBOLS]
    seen = {s: int(c) for s, c in zip(symbols, counts) if s not in fixed and c > 0}
    words = sorted(seen, key=lambda s: (-seen[s], s))
    extra = sorted(set(fallback) - set(words) - set(fixed))
    vocab = fixed + words + extra
    if len(vocab) > MAX_VOCAB:
        raise ValueError(f"vocabulary of {len(vocab)} symbols exceeds {MAX_VOCAB}")
    return vocab


def count_ngrams(seq: np.ndarray, order: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sorted unique packed keys and their counts for n = 1..order, within segments."""
    seg_id = np.cumsum(seq == seq[0])  # every segment starts with <s>, and so does seq
    result = []
    for n in range(1, order + 1):
        length = len(seq) - n + 1
        valid = seg_id[: length] == seg_id[n - 1: n - 1 + length]
        keys = np.zeros(length, dtype=np.uint64)
        for k in range(n):
            keys = (keys << np.uint64(ID_BITS)) | seq[k: k + length].astype(np.uint64)
        keys = keys[valid]
        uniq, cnt = np.unique(keys, return_counts=True)
        result.append((uniq, cnt.astype(np.int64)))
        _log(f"order {n}: {len(uniq):,} distinct n-grams")
    return result


def _discounts(adjusted: np.ndarray) -> np.ndarray:
    """Modified Kneser-Ney discounts D[c] for c = 0, 1, 2, 3+ (Chen & Goodman).

    A count-of-counts that is zero (tiny corpora) makes the estimate undefined; the
    discounts then fall back to the plain values 0.5, 1.0, 1.5, so that a small user
    corpus still builds."""
    n = [int(np.sum(adjusted == k)) for k in (1, 2, 3, 4)]
    if min(n) == 0:
        return np.array([0.0, 0.5, 1.0, 1.5])
    y = n[0] / (n[0] + 2 * n[1])
    d = np.array([0.0, 1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]])
    return np.clip(d, 0.0, [0.0, 1.0, 2.0, 3.0])


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def kneser_ney(counts, vocab_size: int, bos_id: int, cutoffs: dict[int, int]) -> tuple[NgramLM, dict]:
    """Interpolated modified KN, pruned by count and renormalised as a backoff model."""
    order = len(counts)
    shift = np.uint64(ID_BITS)
    # Adjusted counts: continuation counts for lower orders, except n-grams that start
    # with <s> (nothing can precede them), which keep their raw counts.
    adjusted = []
    for n in range(1, order + 1):
        keys, raw = counts[n - 1]
        if n == order:
            adjusted.append(raw.copy())
            continue
        higher_keys = counts[n][0]
        suffixes = np.sort(higher_keys & history_mask(n))
        uniq, cont = np.unique(suffixes, return_counts=True)
        if len(uniq):
            pos = np.minimum(np.searchsorted(uniq, keys), len(uniq) - 1)
            adj = np.where(uniq[pos] == keys, cont[pos], 0).astype(np.int64)
        else:  # no n-gram of the next order at all (every segment too short)
            adj = np.zeros(len(keys), dtype=np.int64)
        first = keys >> np.uint64(ID_BITS * (n - 1))
        adj = np.where(first == bos_id, raw, adj)
        adjusted.append(adj)
    params = {"discounts": {}, "cutoffs": {str(k): v for k, v in cutoffs.items() if k <= order}}

    # Interpolated probabilities for every n-gram, bottom-up.
    unigram_counts = np.zeros(vocab_size, dtype=np.float64)
    unigram_counts[counts[0][0].astype(np.intp)] = adjusted[0]
    unigram_counts[bos_id] = 0
    d1 = _discounts(adjusted[0][adjusted[0] > 0])
    params["discounts"]["1"] = d1[1:].round(4).tolist()
    disc = d1[np.minimum(unigram_counts, 3).astype(np.intp)]
    total = unigram_counts.sum()
    gamma0 = (disc * (unigram_counts > 0)).sum() / total
    # The uniform floor spreads over every id but <s>, which is never predicted.
    floor = np.full(vocab_size, gamma0 / (vocab_size - 1))
    floor[bos_id] = 0.0
    interp = [np.maximum(unigram_counts - disc, 0) / total + floor]
    interp_keys = [np.arange(vocab_size, dtype=np.uint64)]
    for n in range(2, order + 1):
        keys, _ = counts[n - 1]
        if not len(keys):  # no segment is n tokens long (a tiny corpus)
            interp.append(np.zeros(0))
            interp_keys.append(keys)
            continue
        adj = adjusted[n - 1].astype(np.float64)
        d = _discounts(adj[adj > 0])
        params["discounts"][str(n)] = d[1:].round(4).tolist()
        ctx = keys >> shift
        starts = _group_starts(ctx)
        ctx_total = np.add.reduceat(adj, starts)
        nz_disc = np.where(adj > 0, d[np.minimum(adj, 3).astype(np.intp)], 0.0)
        gamma = np.add.reduceat(nz_disc, starts) / np.maximum(ctx_total, 1e-12)
        group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(keys)]))
        lower = interp[-1][_lookup(interp_keys[-1], keys & history_mask(n - 1))]
        p = np.maximum(adj - nz_disc, 0) / np.maximum(ctx_total[group], 1e-12) + gamma[group] * lower
        interp.append(p)
        interp_keys.append(keys)

    # Prune by raw count, keeping every context of a kept higher-order n-gram.
    kept = [None] * (order + 1)
    for n in range(order, 1, -1):
        keys, raw = counts[n - 1]
        keep = raw >= cutoffs.get(n, 1)
        if n < order:
            # Contexts of kept (n+1)-grams carry their backoff weights; suffixes keep the
            # model suffix-closed, which lets the scorer stop at the first order that misses.
            needed = np.unique(np.concatenate([kept[n + 1] >> shift, kept[n + 1] & history_mask(n)]))
            keep |= np.isin(keys, needed)
        kept[n] = keys[keep]
        params.setdefault("kept", {})[str(n)] = int(keep.sum())

    # Backoff form: stored p are the interpolated ones; backoff weights renormalise.
    unigram_logp = np.log(np.maximum(interp[0], _NEVER)).astype(np.float32)
    unigram_bo = np.zeros(vocab_size, dtype=np.float32)
    keys_out, logps_out, bos_out = [], [], []
    for n in range(2, order + 1):
        keys = kept[n]
        p = interp[n - 1][_lookup(interp_keys[n - 1], keys)]
        ctx = keys >> shift
        words = keys & np.uint64(MAX_VOCAB - 1)
        if n == 2:
            lower_lp = unigram_logp[words.astype(np.intp)]
        else:  # the pruned model of order n-1 built so far, after the last n-2 words
            partial = NgramLM(unigram_logp, unigram_bo, keys_out, logps_out, bos_out)
            lower_lp, _ = partial.score(ctx & history_mask(n - 2), words)
        if not len(keys):  # cut-offs pruned the whole order (a tiny corpus)
            if n > 2:
                bos_out.append(np.zeros(len(keys_out[n - 3]), dtype=np.float16))
            keys_out.append(keys)
            logps_out.append(np.zeros(0, dtype=np.float16))
            continue
        starts = _group_starts(ctx)
        kept_mass = np.add.reduceat(p, starts)
        lower_mass = np.add.reduceat(np.exp(lower_lp.astype(np.float64)), starts)
        bo = np.log(np.maximum(1 - kept_mass, 1e-12)) - np.log(np.maximum(1 - lower_mass, 1e-12))
        ctx_keys = ctx[starts]
        if n == 2:
            unigram_bo[ctx_keys.astype(np.intp)] = bo
        else:
            table = keys_out[n - 3]
            full_bo = np.zeros(len(table), dtype=np.float32)
            full_bo[_lookup(table, ctx_keys)] = bo
            bos_out.append(full_bo.astype(np.float16))
        keys_out.append(keys)
        logps_out.append(np.log(p).astype(np.float16))
        _log(f"order {n}: kept {len(keys):,} n-grams")
    return NgramLM(unigram_logp, unigram_bo, keys_out, logps_out, bos_out), params


def _lookup(sorted_keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(sorted_keys, query)
    if not np.all(sorted_keys[np.minimum(pos, len(sorted_keys) - 1)] == query):
        raise AssertionError("n-gram suffix missing from lower order")
    return pos


def read_abbreviations(path: Path) -> dict[str, str]:
    """Accent-stripped spelling -> abbreviation, for the upper-case abbreviations (3 letters
    or more: two-letter ones are too often something else) of an
    ``ABBR:expansion`` list that carry a Vietnamese letter (HĐND, BCĐ, BGDĐT): typed
    without diacritics they lose it, and no language model can tell HDND from HĐND.
    Spellings that are ambiguous (two abbreviations, or one listed as is) are left out."""
    listed: set[str] = set()
    by_plain: dict[str, set[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        abbr, sep, _ = line.partition(":")
        if not sep:
            raise InputError(f"{path}:{number}: expected 'ABBREVIATION:expansion'")
        abbr = unicodedata.normalize("NFC", abbr.strip())
        listed.add(abbr)
        if len(abbr) >= 3 and abbr.isupper() and abbr.isalpha() and not abbr.isascii():
            by_plain.setdefault(strip_accents(abbr), set()).add(abbr)
    return {plain: next(iter(forms)) for plain, forms in sorted(by_plain.items())
            if len(forms) == 1 and plain not in listed}


def build_model(corpus: list[Path], out: Path, fallback: Path | None, order: int = DEFAULT_ORDER,
                cutoffs: dict[int, int] | None = None, jobs: int | None = None,
                licence: str = UNSPECIFIED_LICENCE, abbreviations: Path | None = None) -> dict:
    """Build the model files into `out` and return the metadata written.

    `cutoffs` maps an order to the minimum count an n-gram of that order needs to be
    kept; orders not given take DEFAULT_CUTOFFS.  `licence` is recorded in model.json:
    say under which terms the statistics of your corpora may be shared."""
    if not 2 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 2 to {MAX_ORDER} (word ids are packed into 64-bit keys)")
    cutoffs = {**DEFAULT_CUTOFFS, **(cutoffs or {})}
    files = []
    for entry in corpus:
        if entry.is_dir():
            # A directory contributes its *.txt.xz files; name plain .txt files explicitly
            # (corpus folders keep side files such as title lists as .txt).
            files += sorted(entry.glob("*.txt.xz"))
        else:
            files.append(entry)
    if not files:
        raise FileNotFoundError(f"no corpus files (*.txt.xz, or .txt named explicitly) in {', '.join(map(str, corpus))}")
    jobs = jobs or os.cpu_count() or 1
    marked_symbols, sequences = read_corpus(files, jobs)
    seq = np.concatenate(sequences)
    # "^form" is "form" written capitalized inside a sentence, mostly in a name.  It is a
    # symbol of its own in the LM, so names get their own contexts (chị ^Nhi, ^Nguyễn
    # ^Thị); the candidate table counts it as a use of "form".
    symbols = sorted({s[len(CAPITALIZED_MARK):] if _is_marked(s) else s for s in marked_symbols})
    base_index = {s: i for i, s in enumerate(symbols)}
    to_base = np.array([base_index[s[len(CAPITALIZED_MARK):] if _is_marked(s) else s] for s in marked_symbols])
    marked = np.array([_is_marked(s) for s in marked_symbols])
    marked_counts = np.bincount(seq, minlength=len(marked_symbols))
    raw_counts = np.bincount(to_base, weights=marked_counts, minlength=len(symbols))

    fallback_forms = []
    if fallback is not None:
        for line in fallback.read_text(encoding="utf-8").split("\n"):
            form = unicodedata.normalize("NFC", line.strip().lower())
            if form and is_valid_syllable(form):
                fallback_forms.append(normalize_syllable(form))
    vocab = choose_vocab(symbols, raw_counts, fallback_forms)
    index = {s: i for i, s in enumerate(vocab)}
    names = [s for _, s in sorted((-int(c), s) for s, c, m in zip(marked_symbols, marked_counts, marked)
                                  if m and s[len(CAPITALIZED_MARK):] in index)]
    if len(vocab) + len(names) > MAX_VOCAB:
        raise ValueError(f"vocabulary of {len(vocab) + len(names)} symbols exceeds {MAX_VOCAB}")
    vocab += names
    index.update((s, len(index)) for s in names)
    unk = index[UNK]
    plain_id = np.array([index.get(symbols[b], unk) for b in to_base], dtype=np.int32)
    lm_id = np.array([index.get(s, u) for s, u in zip(marked_symbols, plain_id)], dtype=np.int32)
    vocab_counts = np.bincount(plain_id, weights=marked_counts, minlength=len(vocab)).astype(np.int64)
    capitalized_counts = np.bincount(plain_id[marked], weights=marked_counts[marked],
                                     minlength=len(vocab)).astype(np.int64)
    for s in names:
        vocab_counts[index[s]] = capitalized_counts[index[s[len(CAPITALIZED_MARK):]]]
    seq = lm_id[seq]

    counts = count_ngrams(seq, order)
    lm, params = kneser_ney(counts, len(vocab), index[BOS], cutoffs)

    out.mkdir(parents=True, exist_ok=True)
    with open(out / VOCAB_FILE, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("# symbol\tcorpus count\tcount capitalized inside a sentence (LM id = entry number from 0;"
                     " ^form: form capitalized inside a sentence, an LM symbol of its own)\n")
        for sym, c, cap in zip(vocab, vocab_counts, capitalized_counts):
            handle.write(f"{sym}\t{int(c)}\t{int(cap)}\n")
    outputs = [VOCAB_FILE, LM_FILE]
    if abbreviations is not None:
        table = read_abbreviations(abbreviations)
        with open(out / ABBREVIATIONS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("# typed without diacritics\tabbreviation\n")
            handle.writelines(f"{plain}\t{abbr}\n" for plain, abbr in table.items())
        outputs.append(ABBREVIATIONS_FILE)
    _copy_ocr_table(out)
    outputs.append(OCR_FILE)
    arrays = {"unigram_logp": lm.unigram_logp, "unigram_backoff": lm.unigram_backoff}
    for n in range(2, order + 1):
        arrays[f"keys{n}"] = lm.keys[n - 2]
        arrays[f"logp{n}"] = lm.logps[n - 2]
        if n < order:
            arrays[f"backoff{n}"] = lm.backoffs[n - 2]
    layout = write_arrays(out / LM_FILE, arrays)
    meta = {
        "format_version": FORMAT_VERSION,
        "built_with": f"vnrestore {__version__}",
        "order": order,
        "vocab_size": len(vocab),
        "tone_style": "new",
        "smoothing": "interpolated modified Kneser-Ney, 3 discounts per order, "
                     "count cut-offs, ARPA-style backoff renormalisation",
        "parameters": params,
        "tokens": int(len(seq) - 2 * int(np.sum(seq == index[BOS]))),
        "segments": int(np.sum(seq == index[BOS])),
        "ngrams": {str(n): int(len(lm.keys[n - 2])) for n in range(2, order + 1)},
        "inputs": [{"file": p.name, "sha256": file_sha256(p)} for p in files]
        + ([{"file": fallback.name, "sha256": file_sha256(fallback), "role": "fallback syllables"}] if fallback else [])
        + ([{"file": abbreviations.name, "sha256": file_sha256(abbreviations), "role": "abbreviations"}]
           if abbreviations else []),
        "files": {name: file_sha256(out / name) for name in outputs},
        "arrays": layout,
        "licence": licence,
    }
    (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _log(f"wrote {out}: {sum(f.stat().st_size for f in out.iterdir()) / 1e6:.1f} MB")
    return meta


def _copy_ocr_table(out: Path) -> None:
    """The model carries the OCR error table it was built with (hash in model.json), so
    a model directory is complete and checked as a whole; the table itself is learned by
    vnrestore.ocrlearn, not here."""
    source = default_model_dir() / OCR_FILE
    if source.resolve() != (out / OCR_FILE).resolve():  # rebuilding the shipped model in place
        shutil.copyfile(source, out / OCR_FILE)
