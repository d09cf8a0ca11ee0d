"""Build the model files from a corpus: ``vnrestore build-model --corpus DIR --out DIR``.

Steps, all deterministic (sorted inputs, order-preserving workers, stable sorts):

1. Read every corpus file (``.txt``, ``.txt.xz``, ``.txt.gz``; one paragraph per line), NFC,
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
   (format version, array layout, input hashes, counts, parameters, licences);
   ``lm.bin`` holds each order as an ``lm.HashedTable`` (O(1) look-up, 8-bit values).
"""

from __future__ import annotations

import gzip
import json
import lzma
import os
import shutil
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

from . import __version__, abbrev, triggers
from .errors import InputError
from .gazetteer import read_segments
from .lm import ID_BITS, MAX_VOCAB, NgramLM, file_arrays, history_mask
from .model import (ABBREVIATIONS_FILE, EXPANSIONS_FILE, FORMAT_VERSION, LM_FILE, META_FILE, OCR_FILE, VOCAB_FILE,
                    default_model_dir, file_sha256, write_arrays)
from .orthography import is_valid_syllable, normalize_syllable
from .segment import (BOS, CAPITALIZED_MARK, EOS, PUNCTUATION, SPECIAL_SYMBOLS, UNK,
                      capitalized_inside, segments, symbol)
from .tokenize import WORD, tokenize

from .buildconfig import (CORPUS_PATTERNS, DEFAULT_CUTOFFS, DEFAULT_FALLBACK,  # noqa: F401 (re-exported)
                          DEFAULT_GAZETTEER_WEIGHT, DEFAULT_MIN_WORD_COUNT, DEFAULT_ORDER, DEFAULT_TRIGGER_ENTRIES,
                          MAX_ORDER, MIXES, UNSPECIFIED_LICENCE)

_LINES_PER_JOB = 4000
_NEVER = float(np.exp(-99.0))  # probability floor written for <s>, which is never predicted


def _log(message: str) -> None:
    print(f"[build {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _open_text(path: Path):
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def corpus_files(entries: list[Path], patterns: tuple[str, ...] = CORPUS_PATTERNS) -> list[Path]:
    """The files to read: a file named is taken as it is, a directory contributes its
    files matching any of `patterns` (not its subdirectories), sorted by name."""
    files: list[Path] = []
    for entry in entries:
        if entry.is_dir():
            files += sorted({f for pattern in patterns for f in entry.glob(pattern) if f.is_file()})
        elif entry.exists():
            files.append(entry)
        else:
            raise InputError(f"{entry}: no such file or directory")
    if not files:
        raise InputError(f"no corpus files ({', '.join(patterns)}) in {', '.join(map(str, entries))}")
    return files


def read_syllables(path: Path) -> list[str]:
    """A syllable list, one a line: the valid syllables, NFC, lower case, tone placed in
    the model's style, each once, in the file's order (anything else is skipped)."""
    forms: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        form = unicodedata.normalize("NFC", line.strip().lower())
        if form and is_valid_syllable(form):
            forms.setdefault(normalize_syllable(form))
    return list(forms)


def _symbolize_lines(lines: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Segments of a batch of corpus lines, one per output line, symbols space-separated;
    and the abbreviations spelled out in them ("Ủy ban nhân dân (UBND)").

    A word that is not a syllable (UBND, HĐND, Facebook) is written as it is: the build
    decides later which get a symbol of their own, an expansion or <unk>."""
    out, pairs = [], []
    for line in lines:
        line = unicodedata.normalize("NFC", line.rstrip("\n"))
        tokens = list(tokenize(line))
        for seg in segments(tokens):
            symbols = []
            for k, i in enumerate(seg):
                sym = symbol(tokens[i])
                if tokens[i].kind == WORD:
                    if sym == UNK:
                        sym = tokens[i].text
                    elif capitalized_inside(tokens, seg, k):
                        sym = CAPITALIZED_MARK + sym
                symbols.append(sym)
            out.append(" ".join(symbols))
            pairs += abbrev.pairs_in(tokens, seg)
    return "\n".join(out), pairs


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
    except (lzma.LZMAError, gzip.BadGzipFile, EOFError) as exc:
        raise InputError(f"{path}: not a readable {path.suffix} file ({exc})") from None


def read_corpus(paths: list[Path], jobs: int) -> tuple[list[str], list[np.ndarray], Counter]:
    """Symbol table (first-seen order) and, per file, the id sequence of its segments,
    each segment written as <s> w1 .. wn </s>; the abbreviations spelled out, counted."""
    table: dict[str, int] = {s: i for i, s in enumerate(SPECIAL_SYMBOLS)}
    bos, eos = table[BOS], table[EOS]
    sequences = []
    pairs: Counter = Counter()
    from concurrent.futures import ProcessPoolExecutor  # not at import: the CLI imports this module

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path in paths:
            ids: list[int] = []
            for text, found in pool.map(_symbolize_lines, _batches(path), chunksize=4):
                pairs.update(found)
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
    return list(table), sequences, pairs


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


def kneser_ney(counts, vocab_size: int, bos_id: int, cutoffs: dict[int, int],
               evidence=None, rescue: dict[int, int] | None = None) -> tuple[NgramLM, dict]:
    """Interpolated modified KN, pruned by count and renormalised as a backoff model.

    `evidence` (same layout as `counts`) are the counts the cut-offs look at, when
    `counts` are weighted (see `mix_counts`): an n-gram is kept for how often it was
    seen, not for how much its corpus is worth.  `rescue` maps an order to how many of
    the n-grams its cut-off drops are kept all the same: those whose loss costs the
    model most (`rescue_scores`), so a size budget buys the n-grams worth most."""
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
    lowers = [None]  # per order: each n-gram's interpolated lower-order probability
    for n in range(2, order + 1):
        keys, _ = counts[n - 1]
        if not len(keys):  # no segment is n tokens long (a tiny corpus)
            interp.append(np.zeros(0))
            interp_keys.append(keys)
            lowers.append(np.zeros(0))
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
        lowers.append(lower)

    # Prune by raw count, keeping every context of a kept higher-order n-gram.
    kept = [None] * (order + 1)
    for n in range(order, 1, -1):
        keys, raw = (evidence or counts)[n - 1]
        keep = raw >= cutoffs.get(n, 1)
        extra = (rescue or {}).get(n, 0)
        if extra > 0 and not keep.all():
            context_counts = counts[n - 2][1][_lookup(counts[n - 2][0], keys >> shift)]
            score = rescue_scores(keys, interp[n - 1], lowers[n - 1], keep, context_counts)
            dropped = np.flatnonzero(~keep)
            best = dropped[np.argsort(-score[dropped], kind="stable")[:extra]]
            keep[best] = True
            params.setdefault("rescued", {})[str(n)] = int(len(best))
        if n < order:
            # Contexts of kept (n+1)-grams carry their backoff weights; suffixes keep the
            # model suffix-closed, which lets the scorer stop at the first order that misses.
            needed = np.unique(np.concatenate([kept[n + 1] >> shift, kept[n + 1] & history_mask(n)]))
            keep |= np.isin(keys, needed)
        kept[n] = keys[keep]
        params.setdefault("kept", {})[str(n)] = int(keep.sum())

    probs = [interp[n - 1][_lookup(interp_keys[n - 1], kept[n])] for n in range(2, order + 1)]
    return backoff_model(interp[0], kept[2:], probs), params


def rescue_scores(keys: np.ndarray, p: np.ndarray, lower: np.ndarray, keep: np.ndarray,
                  context_counts: np.ndarray) -> np.ndarray:
    """What dropping each n-gram h w costs: its share of the relative entropy between the
    model with it and without it (Stolcke 1998), c(h) p(w|h) log(p(w|h) / p'(w|h)),
    where p' is the backoff estimate bo(h) p(w|h') and bo(h) that of the model pruned
    to `keep` (the cut-off's choice; the small change to bo(h) that one more n-gram
    makes is left out, as Stolcke's own approximation leaves out its other terms).
    c(h), the context's count, stands for the probability of h."""
    starts = _group_starts(keys >> np.uint64(ID_BITS))
    kept_mass = np.add.reduceat(np.where(keep, p, 0.0), starts)
    lower_mass = np.add.reduceat(np.where(keep, lower, 0.0), starts)
    bo = np.maximum(1 - kept_mass, 1e-12) / np.maximum(1 - lower_mass, 1e-12)
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(keys)]))
    return context_counts * p * (np.log(p) - np.log(bo[group] * lower))


def backoff_model(unigram_p: np.ndarray, kept: list[np.ndarray], probs: list[np.ndarray]) -> NgramLM:
    """The backoff model that gives the kept n-grams (`kept[n - 2]`, sorted keys of order
    n, closed under prefixes and suffixes) the probabilities `probs[n - 2]`, and every
    other word the lower order's probability times a backoff weight chosen so that each
    distribution sums to one (ARPA form)."""
    order = len(kept) + 1
    vocab_size = len(unigram_p)
    shift = np.uint64(ID_BITS)
    unigram_logp = np.log(np.maximum(unigram_p, _NEVER)).astype(np.float32)
    unigram_bo = np.zeros(vocab_size, dtype=np.float32)
    keys_out, logps_out, bos_out = [], [], []
    for n in range(2, order + 1):
        keys = kept[n - 2]
        p = probs[n - 2]
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
    return NgramLM(unigram_logp, unigram_bo, keys_out, logps_out, bos_out)


def mix_counts(parts: list[list[tuple[np.ndarray, np.ndarray]]], multipliers: list[int],
               evidence_weights: list[int] | None = None):
    """Weighted counts of several corpora: sum of each corpus's counts times its integer
    multiplier (as if its text were repeated that many times, so modified Kneser-Ney's
    counts of counts stay defined), and the sums the cut-offs look at: the plain counts,
    each corpus's times its `evidence_weights` entry (default 1: an n-gram seen once in
    a corpus of evidence weight 2 passes a cut-off of 2)."""
    weighted, evidence = [], []
    for n in range(len(parts[0])):
        keys = np.concatenate([p[n][0] for p in parts])
        raw = np.concatenate([p[n][1] * e for p, e in zip(parts, evidence_weights or [1] * len(parts))])
        scaled = np.concatenate([p[n][1] * m for p, m in zip(parts, multipliers)])
        uniq, inverse = np.unique(keys, return_inverse=True)
        weighted.append((uniq, np.bincount(inverse, weights=scaled, minlength=len(uniq)).astype(np.int64)))
        evidence.append((uniq, np.bincount(inverse, weights=raw, minlength=len(uniq)).astype(np.int64)))
    return weighted, evidence


def _logp_at_order(lm: NgramLM, n: int, keys: np.ndarray) -> np.ndarray:
    """log p(w | h) of each order-n key (h = its first n-1 ids) under `lm`, backing off
    as the model does but never looking at a longer history than h."""
    if n == 1:
        return lm.unigram_logp[keys.astype(np.intp)].astype(np.float64)
    truncated = NgramLM(lm.unigram_logp, lm.unigram_backoff, lm.keys[: n - 1], lm.logps[: n - 1],
                        lm.backoffs[: n - 2])
    logp, _ = truncated.score(keys >> np.uint64(ID_BITS), keys & np.uint64(MAX_VOCAB - 1))
    return logp.astype(np.float64)


def interpolate(models: list[NgramLM], lambdas: list[float]) -> NgramLM:
    """One backoff model equal to sum_i lambda_i p_i(w | h) on the union of the models'
    n-grams (static mixing, as SRILM's ngram -mix-lm): a component without an n-gram
    contributes its own backoff estimate; the backoff weights are then recomputed, so
    the run time reads a single model.  Lambdas are normalised to sum to one."""
    total = float(sum(lambdas))
    lambdas = [w / total for w in lambdas]
    order = models[0].order
    unigram_p = sum(w * np.exp(m.unigram_logp.astype(np.float64)) for m, w in zip(models, lambdas))
    kept, probs = [], []
    for n in range(2, order + 1):
        keys = np.unique(np.concatenate([m.keys[n - 2] for m in models]))
        probs.append(sum(w * np.exp(_logp_at_order(m, n, keys)) for m, w in zip(models, lambdas)))
        kept.append(keys)
    return backoff_model(unigram_p, kept, probs)


def estimate(sequences: dict[str, np.ndarray], weights: dict[str, float], mix: str, order: int,
             vocab_size: int, bos_id: int, cutoffs: dict[int, int], on_components=None,
             rescue: dict[int, int] | None = None,
             evidence_weights: dict[str, int] | None = None,
             mix_in: dict[str, float] | None = None) -> tuple[NgramLM, dict]:
    """The LM of one or more corpus components (id sequences by name).

    mix "counts": one Kneser-Ney model of the counts, each component's multiplied by its
    weight (a positive integer).  mix "interpolate": one Kneser-Ney model per component,
    merged by `interpolate` with the weights as lambdas.  `on_components(models)`, if
    given, receives the component models (benchmarks/tune_corpus.py tunes on them).
    `mix_in` (mix "counts" only): components whose own model is also interpolated into
    the pooled one, each with its weight λ (the pooled model keeps 1 - Σλ), so a
    register can be favoured without multiplying counts (`_mix_in`)."""
    if mix not in MIXES:
        raise ValueError(f"mix must be one of {', '.join(MIXES)}, not {mix!r}")
    names = list(sequences)
    if mix_in:
        unknown = sorted(set(mix_in) - set(names))
        if unknown or mix != "counts":
            raise ValueError(f"--mix-in needs --mix counts and named components (not {', '.join(unknown) or mix})")
        if any(not 0 < w < 1 for w in mix_in.values()) or sum(mix_in.values()) >= 1:
            raise ValueError("--mix-in weights must be between 0 and 1 and sum to less than 1")
    if len(names) == 1 and on_components is None:
        return kneser_ney(count_ngrams(sequences[names[0]], order), vocab_size, bos_id, cutoffs, rescue=rescue)
    params: dict = {"mix": mix, "weights": {k: weights.get(k, 1) for k in names}}
    parts = {}
    for k in names:
        _log(f"component {k}: counting")
        parts[k] = count_ngrams(sequences[k], order)
    if mix == "counts":
        multipliers = []
        for k in names:
            w = weights.get(k, 1)
            if w != int(w) or w < 1:
                raise ValueError(f"with mix 'counts' a weight is a count multiplier, a whole number >= 1 (component {k}: {w})")
            multipliers.append(int(w))
        weighted, evidence = mix_counts([parts[k] for k in names], multipliers,
                                        [(evidence_weights or {}).get(k, 1) for k in names])
        lm, kn = kneser_ney(weighted, vocab_size, bos_id, cutoffs, evidence=evidence, rescue=rescue)
        if evidence_weights:
            kn["evidence_weights"] = {k: evidence_weights.get(k, 1) for k in names}
        if mix_in:
            lm = _mix_in(lm, {k: kneser_ney(parts[k], vocab_size, bos_id, cutoffs)[0] for k in mix_in}, mix_in)
            kn["mix_in"] = dict(mix_in)
            kn["kept"] = {str(n): int(len(lm.keys[n - 2])) for n in range(2, order + 1)}
        return lm, {**kn, **params}
    if any(weights.get(k, 1) < 0 for k in names) or sum(weights.get(k, 1) for k in names) <= 0:
        raise ValueError("interpolation weights must be >= 0 and not all 0")
    models, component_params = [], {}
    for k in names:
        lm, component_params[k] = kneser_ney(parts[k], vocab_size, bos_id, cutoffs, rescue=rescue)
        models.append(lm)
    del parts
    if on_components is not None:
        on_components(dict(zip(names, models)))
    lm = interpolate(models, [weights.get(k, 1) for k in names])
    params["weights"] = {k: weights.get(k, 1) for k in names}  # as the hook may have set them
    params["components"] = component_params
    params["kept"] = {str(n): int(len(lm.keys[n - 2])) for n in range(2, order + 1)}
    return lm, params


def _mix_in(pooled: NgramLM, components: dict[str, NgramLM], lambdas: dict[str, float]) -> NgramLM:
    """(1 - Σλ) p_pooled + Σ λ_k p_k: the pooled model of all the counts, with the models
    of a few components interpolated in.  A component's kept n-grams are among the
    pooled model's (its counts are part of the pooled counts, under the same cut-offs),
    so the merged model has the pooled model's n-grams and size."""
    rest = 1.0 - sum(lambdas.values())
    return interpolate([pooled, *components.values()], [rest, *(lambdas[k] for k in components)])


def _lookup(sorted_keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(sorted_keys, query)
    if not np.all(sorted_keys[np.minimum(pos, len(sorted_keys) - 1)] == query):
        raise AssertionError("n-gram suffix missing from lower order")
    return pos


def read_abbreviations(path: Path) -> dict[str, str]:
    """Plain spelling -> abbreviation with a Vietnamese letter, from an abbreviation list
    (``abbrev.letter_table``)."""
    return abbrev.letter_table(path)


def _rewrite(seq: np.ndarray, symbols: list[str], replace: dict[str, list[str]]) -> tuple[np.ndarray, list[str]]:
    """The id sequence with every occurrence of a symbol of `replace` replaced by its
    list of symbols (an expansion, a respelling, or <unk>), and the grown symbol table."""
    ids = {s: i for i, s in enumerate(symbols)}
    symbols = list(symbols)
    mapping = np.arange(len(symbols) + sum(len(r) for r in replace.values()), dtype=np.int32)
    longer: dict[int, list[int]] = {}
    for old, new in replace.items():
        if old not in ids:
            continue
        new_ids = []
        for sym in new:
            if sym not in ids:
                ids[sym] = len(symbols)
                symbols.append(sym)
            new_ids.append(ids[sym])
        mapping[ids[old]] = new_ids[0]
        if len(new_ids) > 1:
            longer[ids[old]] = new_ids[1:]
    out = mapping[seq]
    if longer:
        pos = np.flatnonzero(np.isin(seq, np.array(list(longer), dtype=seq.dtype)))
        tails = [longer[int(w)] for w in seq[pos]]
        out = np.insert(out, np.repeat(pos + 1, [len(t) for t in tails]),
                        np.array([w for t in tails for w in t], dtype=out.dtype))
    return out, symbols


def _add_segments(seq: np.ndarray, symbols: list[str], extra: list[list[str]], weight: int):
    """The id sequence with each extra segment appended `weight` times."""
    ids = {s: i for i, s in enumerate(symbols)}
    symbols = list(symbols)
    added: list[int] = []
    for segment in extra:
        added.append(ids[BOS])
        for sym in segment:
            if sym not in ids:
                ids[sym] = len(symbols)
                symbols.append(sym)
            added.append(ids[sym])
        added.append(ids[EOS])
    _log(f"gazetteer: {len(extra):,} entries, each counted {weight} times")
    return np.concatenate([seq] + [np.array(added, dtype=seq.dtype)] * weight), symbols


def _word_tables(seq: np.ndarray, symbols: list[str], pairs: Counter, abbreviations: Path | None,
                 min_word_count: int, expand: bool):
    """What becomes of the corpus' non-syllable words (written as they are by
    ``_symbolize_lines``): the abbreviation tables (plain spelling -> form with Đ, and
    abbreviation -> expansion, each with where it came from) and the replacements that
    apply them, sending words seen fewer than `min_word_count` times to <unk>."""
    counts = np.bincount(seq, minlength=len(symbols))
    words = {s: int(c) for s, c in zip(symbols, counts) if s not in SPECIAL_SYMBOLS and s not in PUNCTUATION
             and not _is_marked(s) and s.isalpha() and not is_valid_syllable(s)}
    letters = {plain: (form, abbrev.CORPUS) for plain, form in abbrev.attested_letters(words).items()}
    listed: dict[str, list[list[str]]] = {}
    if abbreviations is not None:
        listed, _ = abbrev.read_list(abbreviations)
        letters.update((plain, (form, abbrev.LIST)) for plain, form in abbrev.letter_table(abbreviations).items())
    expansions = abbrev.choose_expansions(pairs, listed) if expand else {}
    replace: dict[str, list[str]] = {}
    for word, n in words.items():
        form = letters[word][0] if word in letters else word
        if form in expansions:
            replace[word] = expansions[form][0].split(" ")
        elif form != word:
            replace[word] = [form]
    kept = Counter()
    for word, n in words.items():
        if word not in replace:
            kept[word] += n
        elif len(replace[word]) == 1:
            kept[replace[word][0]] += n
    for word in words:
        target = replace.get(word, [word])
        if len(target) == 1 and kept[target[0]] < min_word_count:
            replace[word] = [UNK]
    return dict(sorted(letters.items())), expansions, replace


def build_model(corpus: list[Path] | dict[str, list[Path]], out: Path, fallback: Path | None = DEFAULT_FALLBACK,
                order: int = DEFAULT_ORDER, cutoffs: dict[int, int] | None = None, jobs: int | None = None,
                licence: str = UNSPECIFIED_LICENCE, abbreviations: Path | None = None,
                patterns: tuple[str, ...] = CORPUS_PATTERNS,
                min_word_count: int = DEFAULT_MIN_WORD_COUNT, expand_abbreviations: bool = True,
                gazetteer: Path | None = None, gazetteer_weight: int = DEFAULT_GAZETTEER_WEIGHT,
                weights: dict[str, float] | None = None, mix: str = "counts", on_components=None,
                rescue: dict[int, int] | None = None, evidence_weights: dict[str, int] | None = None,
                mix_in: dict[str, float] | None = None, trigger_entries: int = DEFAULT_TRIGGER_ENTRIES) -> dict:
    """Build the model files into `out` and return the metadata written.

    `corpus` is a list of files and directories, or components: name -> files and
    directories, each weighted by `weights[name]` (default 1) as `mix` says (see
    `estimate`; `on_components(models, vocab)` sees the component models before they
    are merged, and may change `weights` in place: benchmarks/tune_corpus.py).  The
    vocabulary and candidate counts are the plain sums over all components.  A
    directory contributes its files matching `patterns` (not its subdirectories).

    `cutoffs` maps an order to the minimum count an n-gram of that order needs to be
    kept; orders not given take DEFAULT_CUTOFFS.  `licence` is recorded in model.json:
    say under which terms the statistics of your corpora may be shared.  `fallback`: a
    syllable list added to the vocabulary unseen (default: the packaged inventory; None
    for none).

    A word that is not a syllable gets an LM symbol of its own if the corpus has it at
    least `min_word_count` times (0: never), else it is <unk>; known abbreviations are
    read as what they stand for (``abbrev``) unless `expand_abbreviations` is false.
    `gazetteer`: a folder of name lists, each entry counted `gazetteer_weight` times as
    a segment of its own (``gazetteer``), in the first component.  `trigger_entries`:
    the (form, context key) scores of the trigger table (``triggers``; 0: no table)."""
    if not 2 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 2 to {MAX_ORDER} (word ids are packed into 64-bit keys)")
    if isinstance(trigger_entries, bool) or not isinstance(trigger_entries, int) or trigger_entries < 0:
        raise ValueError(f"trigger_entries must be a whole number of at least 0, not {trigger_entries!r}")
    cutoffs = {**DEFAULT_CUTOFFS, **(cutoffs or {})}
    components = dict(corpus) if isinstance(corpus, dict) else {"corpus": list(corpus)}
    unknown = sorted(set(weights or {}) - set(components))
    if unknown:
        raise ValueError(f"weight given for no component: {', '.join(unknown)}")
    owner = [(name, f) for name, entries in components.items() for f in corpus_files(entries, patterns)]
    files = [f for _, f in owner]
    jobs = jobs or os.cpu_count() or 1
    marked_symbols, sequences, pairs = read_corpus(files, jobs)
    letters, expansions, replace = _word_tables(np.concatenate(sequences), marked_symbols, pairs, abbreviations,
                                                min_word_count or 1 << 62, expand_abbreviations)
    # Rewritten file by file, so that each component keeps its own sequence.
    for k, part in enumerate(sequences):
        sequences[k], marked_symbols = _rewrite(part, marked_symbols, replace)
    if gazetteer is not None and gazetteer_weight > 0:
        sequences[0], marked_symbols = _add_segments(sequences[0], marked_symbols, read_segments(gazetteer),
                                                     gazetteer_weight)
    seq = np.concatenate(sequences)
    _log(f"{len(expansions):,} abbreviations read as their expansion, {len(letters):,} respelled with Đ")
    # "^form" is "form" written capitalized inside a sentence, mostly in a name.  It is a
    # symbol of its own in the LM, so names get their own contexts (chị ^Nhi, ^Nguyễn
    # ^Thị); the candidate table counts it as a use of "form".
    symbols = sorted({s[len(CAPITALIZED_MARK):] if _is_marked(s) else s for s in marked_symbols})
    base_index = {s: i for i, s in enumerate(symbols)}
    to_base = np.array([base_index[s[len(CAPITALIZED_MARK):] if _is_marked(s) else s] for s in marked_symbols])
    marked = np.array([_is_marked(s) for s in marked_symbols])
    marked_counts = np.bincount(seq, minlength=len(marked_symbols))
    raw_counts = np.bincount(to_base, weights=marked_counts, minlength=len(symbols))

    fallback_forms = read_syllables(fallback) if fallback is not None else []
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
    by_component = {name: np.concatenate([lm_id[s] for (k, _), s in zip(owner, sequences) if k == name])
                    for name in components}
    del sequences
    trigger_arrays = triggers.table(seq, vocab, vocab_counts, trigger_entries) if trigger_entries else None
    hook = None if on_components is None else (lambda models: on_components(models, vocab))
    lm, params = estimate(by_component, weights if weights is not None else {}, mix, order, len(vocab),
                          index[BOS], cutoffs, on_components=hook, rescue=rescue,
                          evidence_weights=evidence_weights, mix_in=mix_in)

    out.mkdir(parents=True, exist_ok=True)
    with open(out / VOCAB_FILE, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("# symbol\tcorpus count\tcount capitalized inside a sentence (LM id = entry number from 0;"
                     " ^form: form capitalized inside a sentence, an LM symbol of its own)\n")
        for sym, c, cap in zip(vocab, vocab_counts, capitalized_counts):
            handle.write(f"{sym}\t{int(c)}\t{int(cap)}\n")
    outputs = [VOCAB_FILE, LM_FILE]
    if abbreviations is not None or letters:
        with open(out / ABBREVIATIONS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("# typed without diacritics\tabbreviation\tfrom (list: the abbreviation list; corpus: written so in the corpus)\n")
            handle.writelines(f"{plain}\t{form}\t{origin}\n" for plain, (form, origin) in letters.items())
        outputs.append(ABBREVIATIONS_FILE)
    if expansions:
        with open(out / EXPANSIONS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("# abbreviation\twhat the LM reads for it\tfrom (corpus: spelled out before it in parentheses;"
                         " list: the only reading of the abbreviation list)\n")
            handle.writelines(f"{abbr}\t{expansion}\t{origin}\n" for abbr, (expansion, origin) in expansions.items())
        outputs.append(EXPANSIONS_FILE)
    _copy_ocr_table(out)
    outputs.append(OCR_FILE)
    if trigger_arrays is not None:
        triggers.write(out / triggers.TRIGGERS_FILE, trigger_arrays)
        outputs.append(triggers.TRIGGERS_FILE)
    arrays, tables = file_arrays(lm)
    layout = write_arrays(out / LM_FILE, arrays)
    meta = {
        "format_version": FORMAT_VERSION,
        "built_with": f"vnrestore {__version__}",
        "order": order,
        "vocab_size": len(vocab),
        "tone_style": "new",
        "smoothing": "interpolated modified Kneser-Ney, 3 discounts per order, "
                     "count cut-offs, ARPA-style backoff renormalisation"
                     + ("" if len(components) == 1 else
                        "; components mixed by weighted counts" if mix == "counts" else
                        "; one model per component, linearly interpolated into one backoff model"),
        "parameters": params,
        "tokens": int(len(seq) - 2 * int(np.sum(seq == index[BOS]))),
        "segments": int(np.sum(seq == index[BOS])),
        "ngrams": {str(n): int(len(lm.keys[n - 2])) for n in range(2, order + 1)},
        "inputs": [{"file": p.name, "sha256": file_sha256(p), **({"component": k} if len(components) > 1 else {})}
                   for k, p in owner]
        + ([{"file": fallback.name, "sha256": file_sha256(fallback), "role": "fallback syllables"}] if fallback else [])
        + ([{"file": abbreviations.name, "sha256": file_sha256(abbreviations), "role": "abbreviations"}]
           if abbreviations else [])
        + ([{"file": f"{gazetteer.name}/{p.name}", "sha256": file_sha256(p), "role": f"gazetteer (x{gazetteer_weight})"}
            for p in sorted(gazetteer.glob("names-*.txt"))] if gazetteer is not None and gazetteer_weight else []),
        "files": {name: file_sha256(out / name) for name in outputs},
        "arrays": layout,
        "tables": tables,
        "licence": licence,
        "min_word_count": min_word_count,
        **({"triggers": {"entries": int(len(trigger_arrays["codes"])), "window": [triggers.NEAR, triggers.FAR],
                        "beta": triggers.BETA}} if trigger_arrays is not None else {}),
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
