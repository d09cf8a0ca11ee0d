"""Triggers: which form of a word the words a little further away favour.

The trigram LM reads two words either side.  In "cho biet con 17 ho chua nhan tien boi
thuong" it reads con (child) where "tiền bồi thường" a few words on says còn (there
remain): what a text is about lives in the words around a word, not only the ones next
to it.  This is the trigger idea of language modelling (Lau, Rosenfeld & Roukos 1993),
kept small: the plain keys of the words 3 to 6 words away vote, each on its own (naive
Bayes), for the forms of the word between them.

For a form w of key k and a key c, from the corpus counts n(w, c) of c being 3 to 6
words from w (``table``):

    score(w, c) = ln P(w | k, c) - ln P(w | k),
    P(w | k, c) = (n(w, c) + BETA * P(w | k)) / (n(k, c) + BETA)

which is 0 where c says nothing about the forms of k, and shrinks to 0 for pairs seen
rarely.  A candidate's score at run time is ``weight`` times the sum over the keys
around it (``TriggerTable.scores``).  Only the `entries` pairs with the most evidence
(max(n(w, c), n(k, c) P(w | k)) * |score|; ``buildconfig.DEFAULT_TRIGGER_ENTRIES``) are
kept; a pair not kept scores 0.
Window, BETA, the number kept and the weight are global settings chosen on the whole
development sets (README, "Triggers: words beyond the LM's reach").

The table is a model file (``triggers.npz``: numpy arrays, no pickle): forms and keys as
text, and per form its context keys and 8-bit score codes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .errors import ModelError
from .orthography import is_valid_syllable, key
from .segment import CAPITALIZED_MARK, UNK
from .tokenize import WORD, Token

if TYPE_CHECKING:  # the model loads this module; these import the model's neighbours
    from .candidates import Lexicon
    from .lattice import Lattices
    from .plan import Plan

TRIGGERS_FILE = "triggers.npz"
NEAR, FAR = 3, 6       # words this far from a word, either side, are its context
BETA = 20.0            # Dirichlet prior of P(w | k, c) towards P(w | k)
_CODE_RANGE = 127      # scores are stored as int8 codes, code * scale
_NO_KEY = -1
_MEMO_SIZE = 200_000   # words as written whose key index is remembered


# -- build: from the corpus' symbol sequence to the table ---------------------------------
def table(seq: np.ndarray, vocab: Sequence[str], counts: Sequence[int], entries: int,
          near: int = NEAR, far: int = FAR, beta: float = BETA) -> dict[str, np.ndarray]:
    """The arrays of ``triggers.npz`` from the corpus as LM ids (`seq`, segments with
    <s> and </s>), the vocabulary and its counts.  The words of `seq` are its
    alphabetic symbols (syllables, ^forms, word symbols) and <unk>; punctuation, numbers
    and segment marks are not counted as positions, as at run time."""
    forms, form_of_id = [], np.full(len(vocab), _NO_KEY, dtype=np.int64)
    for i, sym in enumerate(vocab):
        if sym.isalpha() and sym.islower() and counts[i] > 0 and is_valid_syllable(sym):
            form_of_id[i] = len(forms)
            forms.append(sym)
    index = {s: i for i, s in enumerate(vocab)}
    for i, sym in enumerate(vocab):  # ^form counts as a use of form
        if sym.startswith(CAPITALIZED_MARK) and sym[len(CAPITALIZED_MARK):] in index:
            form_of_id[i] = form_of_id[index[sym[len(CAPITALIZED_MARK):]]]
    keys: dict[str, int] = {}
    form_key = np.array([keys.setdefault(key(f), len(keys)) for f in forms], dtype=np.int64)
    is_word = np.array([s.isalpha() or s == UNK or (s.startswith(CAPITALIZED_MARK) and s[1:].isalpha())
                        for s in vocab])
    words = np.asarray(seq)[is_word[np.asarray(seq)]]
    f = form_of_id[words]
    k = np.where(f >= 0, form_key[np.maximum(f, 0)], _NO_KEY)
    n_forms, n_keys = len(forms), len(keys)
    pair = np.zeros(n_forms * n_keys, dtype=np.int64)
    for off in range(near, far + 1):
        for a, b in ((f[:-off], k[off:]), (f[off:], k[:-off])):
            ok = (a >= 0) & (b >= 0)
            pair += np.bincount(a[ok] * n_keys + b[ok], minlength=n_forms * n_keys)
    n_wc = pair.reshape(n_forms, n_keys).astype(np.float64)
    n_kc = np.zeros((n_keys, n_keys))
    np.add.at(n_kc, form_key, n_wc)
    n_w = n_wc.sum(axis=1)
    n_k = np.bincount(form_key, weights=n_w, minlength=n_keys)
    prior = (n_w + 0.5) / (n_k[form_key] + 0.5 * np.bincount(form_key, minlength=n_keys)[form_key])
    n_kc_w = n_kc[form_key]
    score = np.log((n_wc + beta * prior[:, None]) / (n_kc_w + beta)) - np.log(prior)[:, None]
    evidence = np.maximum(n_wc, n_kc_w * prior[:, None]) * np.abs(score)
    flat = evidence.ravel()
    kept = np.sort(np.argsort(-flat, kind="stable")[:entries])
    kept = kept[flat[kept] > 0]
    rows, cols = np.divmod(kept, n_keys)
    values = score.ravel()[kept]
    scale = max(float(np.abs(values).max()) if len(values) else 1.0, 1e-6) / _CODE_RANGE
    used = np.unique(rows)
    offsets = np.searchsorted(rows, np.arange(n_forms + 1))[np.append(used, n_forms)]
    return {
        "forms": _text_array([forms[r] for r in used]),
        "keys": _text_array(list(keys)),
        "offsets": offsets.astype(np.int32),
        "context": cols.astype(np.uint16),
        "codes": np.rint(values / scale).astype(np.int8),
        "scale": np.array([scale], dtype=np.float32),
        "window": np.array([near, far], dtype=np.int32),
    }


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as handle:  # np.savez on a path would add a suffix to a name without .npz
        np.savez(handle, **arrays)


def _text_array(items: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _texts(array: np.ndarray) -> list[str]:
    return bytes(array).decode("utf-8").split("\n") if len(array) else []


# -- run time ---------------------------------------------------------------------------
class TriggerTable:
    """The scores of ``triggers.npz`` over one model's LM ids; read-only once made."""

    def __init__(self, arrays: dict[str, np.ndarray], symbol_ids: dict[str, int], path: Path | str = TRIGGERS_FILE):
        try:
            forms, keys = _texts(arrays["forms"]), _texts(arrays["keys"])
            offsets, context = arrays["offsets"].astype(np.int64), arrays["context"].astype(np.int64)
            codes, scale = arrays["codes"], float(arrays["scale"][0])
            self.near, self.far = (int(v) for v in arrays["window"])
        except (KeyError, IndexError, ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: not a trigger table ({exc})") from None
        if len(offsets) != len(forms) + 1 or offsets[-1] != len(context) or len(codes) != len(context) \
                or (len(context) and context.max() >= len(keys)) or not 0 < self.near <= self.far:
            raise ModelError(f"{path}: inconsistent trigger table (lengths or indices do not match)")
        self._arrays = (forms, offsets, context, codes, symbol_ids)
        self._lock = threading.Lock()
        self._ready = False
        self.keys = {k: i for i, k in enumerate(keys)}
        self._scale = scale
        self._offsets = np.concatenate([np.arange(-self.far, -self.near + 1), np.arange(self.near, self.far + 1)])
        self._key_memo: dict[str, int] = {}  # word as written -> its key's index (only ever gains equal values)

    def _prepare(self) -> None:
        """One row of codes per form that has any (3,600 forms by 2,600 keys: 9 MB), made
        on first use (30 ms, which `vnrestore fix` of an empty file need not pay): a
        look-up is one gather, measured 3x faster than searching the sorted entries."""
        with self._lock:
            if self._ready:
                return
            forms, offsets, context, codes, symbol_ids = self._arrays
            ids = np.array([symbol_ids.get(f, -1) for f in forms], dtype=np.int64)
            owner = np.repeat(ids, np.diff(offsets))
            known = owner >= 0
            self._row_of = np.full(len(symbol_ids), -1, dtype=np.int64)
            self._row_of[ids[ids >= 0]] = np.arange(int((ids >= 0).sum()))
            self._dense = np.zeros((int((ids >= 0).sum()), len(self.keys)), dtype=np.int8)
            self._dense[self._row_of[owner[known]], context[known]] = codes[known]
            self._arrays = None  # the dense rows replace them
            self._ready = True

    @classmethod
    def read(cls, path: Path, symbol_ids: dict[str, int]) -> "TriggerTable":
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: not a readable trigger table ({exc})") from None
        return cls(arrays, symbol_ids, path)

    def _word_keys(self, tokens: list[Token], groups: Sequence[int]) -> tuple[dict[int, int], np.ndarray,
                                                                             np.ndarray]:
        """Each word token's number among the words, and per word its key's index in
        the table (-1: none) and the number of the text it belongs to (`groups`: the
        first token of each text after the first, as ``many.first_tokens`` gives)."""
        words = [(i, token.text) for i, token in enumerate(tokens) if token.kind == WORD]
        word_keys = [self._key_index(text) for _, text in words]
        ordinal = {i: n for n, (i, _) in enumerate(words)}
        text_of = np.searchsorted(np.asarray(groups, dtype=np.int64), np.array([i for i, _ in words], dtype=np.int64),
                                  side="right")
        return ordinal, np.array(word_keys, dtype=np.int64), text_of

    def _key_index(self, text: str) -> int:
        """The table's index of the key of a word as written (-1: none), remembered for
        up to _MEMO_SIZE words (a dict store: threads racing here store equal values)."""
        found = self._key_memo.get(text)
        if found is None:
            found = self.keys.get(key(text), _NO_KEY)
            if len(self._key_memo) < _MEMO_SIZE:
                self._key_memo[text] = found
        return found

    def scores(self, flat: np.ndarray, owner: np.ndarray, word_keys: np.ndarray, text_of: np.ndarray) -> np.ndarray:
        """The score of each candidate (`flat`: LM ids of plain forms) of the word
        numbered `owner` among the words (in text `text_of[owner]`), before the weight."""
        if not self._ready:
            self._prepare()
        total = np.zeros(len(flat))
        scored = np.flatnonzero(self._row_of[flat] >= 0)  # most candidates' forms have no score at all
        if not len(scored) or not len(word_keys):
            return total
        at = owner[scored][:, None] + self._offsets[None, :]
        inside = (at >= 0) & (at < len(word_keys))
        at = np.clip(at, 0, len(word_keys) - 1)
        ctx = np.where(inside & (text_of[at] == text_of[owner[scored]][:, None]), word_keys[at], _NO_KEY)
        found = self._dense[self._row_of[flat[scored]][:, None], np.maximum(ctx, 0)]
        total[scored] = np.where(ctx >= 0, found, 0).sum(axis=1) * self._scale
        return total

    def add_to(self, lat: Lattices, plan: Plan, lexicon: Lexicon, weight: float, groups: Sequence[int] = ()) -> None:
        """Add `weight` times each candidate's score to the prior scores of `lat`, for
        every word being restored.  An OCR reading's candidates may have keys of their
        own: each is scored among the forms of its key (the channel weighs the keys),
        and the context is the keys of the words as read, so a garbled neighbour
        (ciia) has no say; a syllable as a Vietnamese-aware engine wrote it
        (``Plan.as_written``) keeps its tone unless the LM insists.  The context
        crosses sentences and lines, as the corpus counts did (within one sentence
        only: reports 98.03 -> 97.95 %, README), but never the start of another text
        (`groups`), so ``restore_many`` gives what ``restore`` gives each text; like
        the document memory, it reads one block (``blocks.BLOCK_CHARS``)."""
        lattice_of = plan.lattice_of
        ordinal, word_keys, text_of = self._word_keys(plan.tokens, groups)
        picked = [(s, p, i, cands) for s, (seg, lattice) in enumerate(zip(lat.positions, lat.lattices))
                  for p, (i, cands) in enumerate(zip(seg, lattice)) if len(cands) > 1]
        picked = [x for x in picked if x[2] in lattice_of and x[2] in ordinal and x[2] not in plan.as_written]
        if not picked:
            return
        sizes = np.array([len(x[3]) for x in picked], dtype=np.int64)
        flat = np.fromiter((c for x in picked for c in x[3]), dtype=np.int64, count=int(sizes.sum()))
        owner = np.repeat(np.array([ordinal[x[2]] for x in picked], dtype=np.int64), sizes)
        total = weight * self.scores(lexicon.plain_ids()[flat], owner, word_keys, text_of)
        starts = np.cumsum(sizes) - sizes
        said = np.flatnonzero(np.add.reduceat(total != 0, starts))  # positions with any score
        values = total.tolist()
        keep = lexicon.id(UNK)
        for k in said.tolist():
            s, p = picked[k][0], picked[k][1]
            mine, old = values[starts[k]:starts[k] + sizes[k]], lat.costs[s][p]
            if keep in picked[k][3]:  # keeping the word as written (des, Facebook) is no form of a key:
                mine[picked[k][3].index(keep)] = max(mine)  # the votes choose among the readings only
            lat.costs[s][p] = [a + b for a, b in zip(old, mine)] if old else mine
