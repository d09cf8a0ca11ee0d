"""Candidates for OCR'd words: which syllables could have been printed where the OCR
engine read "ciia", "x3", "d6i" or "hién", and how well each explains the reading.

Neighbours are found on accent-stripped keys: the reading is stripped and its digits
and symbols folded to the letters they most often stand for in the learned table
("16p" -> "lop"), then every attested key within one or two edits is a neighbour.  The
neighbours are ranked by how well their most frequent form explains the reading; every
form of the best few, and of the reading's own key, is scored by the OCR error model,
log P(reading | form).  The best are the word's candidates, and those scores are the
channel half of the noisy channel (the language model is the other half).
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from typing import Iterable

import regex
from .candidates import Lexicon
from .model import default_model_dir, ocr_table_file
from .ocrmodel import ConfusionTable
from .orthography import normalize_syllable, strip_accents
from .ocr_context import _ROMAN, _SYMBOLS, NOISY_WORD, OcrContext
from .plan import ABBREVIATION, KEPT, RESTORED, UNKNOWN, Plan
from .segment import NUM
from .tokenize import CODE, NUMBER, PUNCT, WORD, Token

MAX_CANDIDATES = 12  # from neighbouring keys, besides every form of the reading's own key
NEAR_KEYS = 20       # neighbouring keys ranked by the channel (their most frequent form)
KEYS_EXPANDED = 10   # of those, the keys whose every form is scored
FORMS_PER_KEY = 8    # most frequent forms of each
RESPELL_COST = -8.0   # channel score of another tone for a syllable on a Vietnamese line
CHANNEL_MARGIN = 9.0  # candidates more than this (natural log) below the best are dropped


class OcrCandidates:
    """Channel-scored candidates for OCR'd words, cached per distinct reading."""

    def __init__(self, lexicon: Lexicon, table: ConfusionTable | None = None):
        self.lexicon = lexicon
        self.table = table or ConfusionTable.read_tsv(ocr_table_file(default_model_dir()))
        self._fold = _fold_map(self.table)
        self._unsplit = _unsplit_map(self.table)
        self._keys: list[str] | None = None  # every key, with its count: on first _lookup
        self.lookup = lru_cache(maxsize=50_000)(self._lookup)  # size: peak RSS (README, speed)

    def is_vietnamese_reading(self, reading: str) -> bool:
        """Whether the reading, accents aside, spells a known syllable ("hién", "cong"):
        then it is a Vietnamese word, only its accents or letters to be settled."""
        return bool(self.lexicon.candidates(strip_accents(unicodedata.normalize("NFC", reading)).lower()))

    def folds_to_key(self, reading: str) -> bool:
        """Whether a reading with digits or symbols spells a syllable key once they are
        read as the letters OCR most often puts them for ("d6i" -> "doi")."""
        lower = reading.lower()
        folded = self._folded_key(lower)
        return folded != lower and bool(self.lexicon.candidates(folded))

    def respelled(self, reading: str) -> tuple[tuple[int, ...], tuple[float, ...]] | None:
        """Candidates for a valid syllable on a line an English model did not read: its
        own form (channel 0) and the other forms of its key at ``RESPELL_COST``, so only
        a context that insists (a Vietnamese engine's "chỉ bộ") changes it; None if
        the form is not in the lexicon."""
        lower = unicodedata.normalize("NFC", reading).lower()
        if normalize_syllable(lower) != lower:
            return None  # written in the other tone placement (hoá, thuỷ): keep it so
        own = self.lexicon.id(lower)
        if own is None:
            return None
        others = tuple(w for w in self.lexicon.candidates(strip_accents(lower))[:FORMS_PER_KEY] if w != own)
        return (own,) + others, (0.0,) + (RESPELL_COST,) * len(others)

    def _folded_key(self, lower: str) -> str:
        """The key a lower-case reading is searched under: accents stripped, digits and
        symbols read as the letters they most often stand for."""
        return "".join(self._fold.get(ch, ch) for ch in strip_accents(lower))

    def _unsplit_queries(self, query: str) -> list[str]:
        """The query with one OCR letter pair read back as the one letter it most often
        stands for in the table ("sit" -> "su"); pairs of the key's first letters are
        left alone (an onset such as "tr" is a pair of letters, not one read as two)."""
        out = []
        for pair, letter in self._unsplit.items():
            start = query.find(pair, 1)
            while start > 0:
                out.append(query[:start] + letter + query[start + 2:])
                start = query.find(pair, start + 1)
        return out

    def _lookup(self, reading: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """(candidate ids, log P(reading | candidate)), most likely first; empty if
        nothing plausible is near.

        Every form of the reading's own key stays (plain loss of diacritics is the most
        common damage); the neighbouring keys are ranked in two stages (below), and of
        their forms the best by channel score plus corpus log-frequency are kept, less
        any far below the best channel score.
        """
        lower = unicodedata.normalize("NFC", reading).lower()
        query = self._folded_key(lower)
        own = set(self.lexicon.candidates(query))
        # A reading that spells a key is mostly that key with its accents lost; its
        # neighbours one edit away are alternatives enough (and keep OCR mode fast).
        # One that does not is searched two edits wide, short ones too: one letter
        # often comes out as two ("từ" -> "tir", "cử" -> "ctr").
        limit = 1 if own else 2
        if self._keys is None:  # plain text (looks_like_ocr) needs neither these nor rapidfuzz
            self._key_count = {k: sum(self.lexicon.counts[i] for i in self.lexicon.candidates(k))
                               for k in self.lexicon.keys()}
            self._keys = list(self._key_count)
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        near = process.extract(query, self._keys, scorer=Levenshtein.distance,
                               score_cutoff=limit, limit=None)
        # One letter read as two ("sử" -> "sit", "chữ" -> "chit") is two edits from its
        # key, beyond the one-edit search of a reading that spells a key ("sit") and
        # outranked by many keys in the two-edit search: read the pair as the letter
        # it most often stands for ("it" -> "u") and take that key's near neighbours.
        seen = {e[0] for e in near}
        for alt in self._unsplit_queries(query):
            for near_key, distance, index in process.extract(alt, self._keys, scorer=Levenshtein.distance,
                                                             score_cutoff=1, limit=None):
                if near_key not in seen:
                    seen.add(near_key)
                    near.append((near_key, distance + 1, index))
        near.sort(key=lambda e: (e[1], -self._key_count[e[0]], e[0]))
        # Two stages, to keep the channel's dynamic programme off most forms: rank the
        # neighbouring keys by how well their most frequent form explains the reading,
        # then score every form of the best few (and of the reading's own key).
        ranked = []
        for near_key, _, _ in near[:NEAR_KEYS]:
            head = self.lexicon.candidates(near_key)[0]
            channel = self.table.word_logprob(lower, self.lexicon.symbols[head])
            ranked.append((near_key != query, -(channel + math.log(self._key_count[near_key] + 1)), near_key))
        ranked.sort()
        scored = []
        for _, _, near_key in ranked[:KEYS_EXPANDED]:
            for word_id in self.lexicon.candidates(near_key)[:FORMS_PER_KEY]:
                channel = self.table.word_logprob(lower, self.lexicon.symbols[word_id])
                if channel > -math.inf:
                    prior = math.log(self.lexicon.counts[word_id] + 1)
                    scored.append((word_id in own, channel + prior, channel, word_id))
        scored.sort(key=lambda e: (-e[0], -e[1], e[3]))
        kept = [e for e in scored if e[0]] + [e for e in scored if not e[0]][:MAX_CANDIDATES]
        # Forms the channel finds far worse than the best cannot be rescued by the
        # language model in practice; dropping them narrows the lattice.
        floor = max((e[2] for e in kept), default=0.0) - CHANNEL_MARGIN
        kept = [e for e in kept if e[2] >= floor]
        return tuple(e[3] for e in kept), tuple(e[2] for e in kept)


def plan_ocr(tokens: list[Token], ocr: "OcrCandidates", abbreviations: dict[str, str], unk_id: int,
             keep_score: float) -> Plan:
    """OCR mode: every word, and every short letter-digit-symbol run (d6i, x3, hi¢n),
    is a noisy reading; its candidates are the syllables the OCR error model finds
    near it, plus keeping it as read (the <unk> candidate) where there is evidence
    that it is not Vietnamese (see ``ocr_context``).

    Lines that hold a letter no English OCR model can print (đ, ư, ạ ...) were not read
    by one: they are correct text or the output of a Vietnamese-aware engine, so their
    valid syllables are kept as written and only the rest is restored.  This keeps OCR
    mode from "repairing" correct Vietnamese, and makes it idempotent."""
    tokens = merge_noisy_words(tokens)
    context = OcrContext(tokens, ocr)
    known = set(abbreviations.values())
    num_id = ocr.lexicon.id(NUM)
    lattice_of: dict[int, tuple[int, ...]] = {}
    channel_of: dict[int, tuple[float, ...]] = {}
    source: dict[int, str] = {}
    fixed: dict[int, str] = {}
    as_written: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.kind == PUNCT and context.comma_read_as_period(i):
            fixed[i] = ","
            continue
        if num_id is not None and context.number_for_word(i):
            ids, channel = ocr.lookup(tok.text)
            if ids:  # the number itself (the <num> symbol, read as itself) is a candidate too
                lattice_of[i], channel_of[i] = ids + (num_id,), channel + (0.0,)
                source[i] = RESTORED
            continue
        if not context.is_reading(i):
            continue
        if tok.text in abbreviations:
            fixed[i], source[i] = abbreviations[tok.text], ABBREVIATION
            continue
        if context.written_syllable(i):
            respelled = ocr.respelled(tok.text)
            if respelled:  # its own form, or another tone of it if the context insists
                lattice_of[i], channel_of[i] = respelled
                source[i] = RESTORED
                as_written.add(i)
                continue
        if tok.text in known or context.kept_as_written(i):
            source[i] = KEPT
            continue
        if _ROMAN.fullmatch(tok.text) and i + 1 < len(tokens) and tokens[i + 1].text in ".)":
            source[i] = KEPT  # a heading number (II., IV.), not OCR noise
            continue
        ids, channel = ocr.lookup(tok.text)
        if not ids:
            source[i] = UNKNOWN
            continue
        tokens[i] = context.cased(i)
        keep = context.keep_score(i, keep_score)
        if keep is None:
            lattice_of[i], channel_of[i] = ids, channel
        else:  # maybe not Vietnamese at all (UBND, Facebook): keeping it is a choice
            lattice_of[i] = ids + (unk_id,)
            channel_of[i] = channel + (keep,)
        source[i] = RESTORED
    return Plan(tokens, lattice_of, channel_of, source, fixed, as_written=as_written)


def _fold_map(table: ConfusionTable) -> dict[str, str]:
    """For each non-letter the OCR engine writes for a letter (6, 3, 1, &, ¢, €), the
    plain letter it most often stands for in the learned table ("6" -> "o"), so that
    neighbours are searched around "lop" rather than "16p"."""
    votes: dict[str, dict[str, int]] = {}
    for gold, ocr, count, _ in table.rows:
        if len(gold) == 1 and gold.isalpha() and len(ocr) == 1 and not ocr.isalpha() and not ocr.isspace():
            letter = strip_accents(gold)
            votes.setdefault(ocr, {}).setdefault(letter, 0)
            votes[ocr][letter] += count
    return {ch: max(sorted(v), key=v.get) for ch, v in votes.items()}


UNSPLIT_MIN_COUNT = 30  # a pair read for one letter at least this often in training


def _unsplit_map(table: ConfusionTable) -> dict[str, str]:
    """For each two-character OCR string that the learned table often writes for one
    gold letter ("it" for ữ/ứ, "ii" for ủ), the plain letter it most often stands for
    ("u"), when that is not the pair's own spelling."""
    votes: dict[str, dict[str, int]] = {}
    for gold, ocr, count, _ in table.rows:
        if len(gold) == 1 and gold.isalpha() and len(ocr) == 2 and ocr.isalpha():
            letter = strip_accents(gold)
            votes.setdefault(ocr, {}).setdefault(letter, 0)
            votes[ocr][letter] += count
    out = {}
    for pair, v in sorted(votes.items()):
        letter = max(sorted(v), key=v.get)
        if v[letter] >= UNSPLIT_MIN_COUNT and letter not in pair:
            out[pair] = letter
    return out


_OCR_SYMBOL = regex.compile(f"[{_SYMBOLS}]")


def merge_noisy_words(tokens: list[Token]) -> list[Token]:
    """Join tokens that touch (no space between) into one word where together they form
    a noisy reading: OCR breaks "hiện" into "hi", "¢", "n" because ¢ is not a letter."""
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        while j + 1 < len(tokens) and _joinable(tokens[j + 1]) and _joinable(tokens[j]):
            j += 1
        if j > i:
            text = "".join(t.text for t in tokens[i: j + 1])
            if NOISY_WORD.fullmatch(text) and any(_OCR_SYMBOL.fullmatch(t.text) for t in tokens[i: j + 1]):
                merged.append(Token(tokens[i].start, tokens[j].end, CODE, text))
                i = j + 1
                continue
        merged.append(tokens[i])
        i += 1
    return merged


def _joinable(token: Token) -> bool:
    return token.kind in (WORD, NUMBER, CODE) or (token.kind == PUNCT and _OCR_SYMBOL.fullmatch(token.text) is not None)


MIN_STRONG = 2
MIN_SHARE = 0.15


def looks_like_ocr(tokens: list[Token], ocr: "OcrCandidates") -> bool:
    """Whether a block of text reads like English-model OCR of Vietnamese.

    Strong signs are what only OCR noise makes of a Vietnamese syllable: a letter-digit
    or letter-symbol mixture that folds to a syllable key (d6i, x3, 1am, v&i), or a word
    with é that is a syllable key once its accents go (hién, két: this OCR writes é for
    every ê, ế, ề, ể, ễ, ệ).  Weak signs are plain words that spell no key (ciia, thye).
    Clean text, accented or not, has next to no strong signs, and foreign words (TF1,
    Pokémon, Jefferson) are neither strong signs nor, in Vietnamese text, frequent."""
    candidates = ocr.lexicon.candidates
    words = signs = strong = 0
    for token in tokens:
        if token.kind == WORD:
            words += 1
            lower = token.text.lower()
            if lower.isascii():  # the common case, kept cheap: this runs on all text
                signs += not candidates(lower)
            elif "é" in lower and ocr.is_vietnamese_reading(lower):
                signs += 1
                strong += 1
        elif token.kind == CODE and NOISY_WORD.fullmatch(token.text):
            words += 1
            signs += 1
            strong += ocr.folds_to_key(token.text)
    return strong >= MIN_STRONG and signs >= MIN_SHARE * words


ACCENTED_SHARE = 0.5  # of a block's words with a letter outside ASCII: accented text
ENGINE_MIN_WORDS = 200  # fewer words than this seldom show MIN_RESPELLS tone errors
MIN_RESPELLS = 3        # lower-case syllables OCR mode respells in a Vietnamese engine's output ...
RESPELL_SHARE = 0.001   # ... and per word of the block
ENGINE_SAMPLE = 16_000  # characters of a block that decide (about 3,500 words)


def may_be_vietnamese_engine(tokens: list[Token]) -> bool:
    """Whether a block may be a Vietnamese OCR engine's output, worth the OCR-mode
    decoding that ``read_by_vietnamese_engine`` judges: most of its words written with
    their accents (plain "không dấu" text and English-model OCR have next to none),
    and enough of them to show the engine's errors (at 2.5-6.5 per 1,000 words, 200
    words have fewer than the 3 needed more often than not; a record, a cell or a
    title is not worth a second decoding)."""
    words = accented = 0
    for token in tokens:
        if token.kind == WORD:
            words += 1
            accented += not token.text.isascii()
    return words >= ENGINE_MIN_WORDS and accented >= ACCENTED_SHARE * words


def read_by_vietnamese_engine(tokens: list[Token], chosen: dict[int, int], lexicon: Lexicon,
                              indices: Iterable[int] | None = None) -> bool:
    """Whether OCR mode's decision over an accented block (`chosen`: token index ->
    word id) says a Vietnamese OCR engine read it: the language model insisted on
    another tone of several lower-case syllables (tố -> tổ, kế -> kể, quyên -> quyền).

    OCR mode keeps a known syllable unless its context outweighs ``RESPELL_COST``, so
    on correct text this seldom happens, while Tesseract's Vietnamese model's tone
    errors make it happen every few hundred words (corpus pairs: 2.5 and 6.5 per 1,000
    words).  Typed text has such words too, typos and names (Thùy, Lĩnh): names are
    not counted (capitalized), nor words that are no syllable ("Điề" cut short).  The
    thresholds, checked on the whole dev sets (README, OCR mode): no 16,000-character
    sample of theirs reaches them, 3 of 601 pages of 3,500 characters do; every
    sample of the Vietnamese-model pairs does, and 12 of their 26 pages.  `indices`:
    the tokens of one text in a block of several (all by default)."""
    words = respelled = 0
    for i in range(len(tokens)) if indices is None else indices:
        token = tokens[i]
        if token.kind != WORD:
            continue
        words += 1
        if i in chosen and not token.text.isascii():
            written = normalize_syllable(unicodedata.normalize("NFC", token.text.lower()))
            respelled += (token.text.islower() and lexicon.symbols[chosen[i]] != written
                          and lexicon.id(written) is not None)
    return respelled >= MIN_RESPELLS and respelled >= RESPELL_SHARE * words
