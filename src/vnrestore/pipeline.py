"""The restorer: tokenize -> candidates -> decode -> render.

``Restorer`` holds a loaded model (read-only, so one instance can serve many threads)
and runs the stages over blocks of text of bounded size, so memory stays flat however
long the input is.  Each stage hands plain values to the next and never reaches back.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import numpy as np
import regex

from .casing import apply_case
from .decode import decode
from .model import Model
from .orthography import STYLES, has_accents, is_valid_syllable, key, normalize_syllable
from .segment import BOS, EOS, UNK, capitalized_inside, segments, symbol
from .ocr import OcrCandidates, looks_like_ocr, plan_ocr
from .plan import ABBREVIATION, KEPT, PROTECTED, RESTORED, UNKNOWN, Plan
from .textio import split_lines
from .tokenize import CODE, NEWLINE, WORD, Token, render, tokenize
from .userlex import read_user_lexicon

MODES = ("auto", "plain", "ocr")
BLOCK_CHARS = 64_000  # text decoded per batch; bounds memory on any input size
_ACCENTED_LINE_SHARE = 0.5
_OCR_LOCK = threading.Lock()


@dataclass(frozen=True)
class Options:
    """Everything configurable about restoration (one frozen object, keyword-only)."""

    style: str = "new"  # tone placement of restored words: "new" (hòa, thủy) or "old" (hoà, thuỷ)
    beam: int = 12      # hypotheses kept per segment at each step
    max_candidates: int = 32  # accented forms considered per word, most frequent first
    name_weight: float = 0.5   # capitalized words inside sentences: weight of the odds against
    #                            forms never seen in names
    mode: str = "auto"  # "plain": only lost diacritics; "ocr": also OCR letter noise (ciia, x3,
    #                     d6i); "auto": ocr for blocks of text that look OCR'd, else plain
    channel_weight: float = 1.0  # ocr mode: weight of log P(OCR reading | syllable)
    keep_score: float = -12.0    # ocr mode: channel score of leaving a word as the OCR read it

    def __post_init__(self):
        _check_options(self)
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.beam < 1 or self.max_candidates < 1:
            raise ValueError("beam and max_candidates must be at least 1")
        if self.name_weight < 0:
            raise ValueError("name_weight must not be negative")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")


@dataclass(frozen=True)
class TokenChoice:
    """What happened to one token: plain data, as returned by ``explain``."""

    start: int
    end: int
    kind: str
    input: str
    output: str
    source: str
    confidence: float = 1.0
    alternatives: tuple[tuple[str, float], ...] = field(default=())  # (form, probability), best first

    def as_dict(self) -> dict:
        return {
            "start": self.start, "end": self.end, "kind": self.kind, "input": self.input,
            "output": self.output, "source": self.source, "confidence": round(self.confidence, 4),
            "alternatives": [[form, round(p, 4)] for form, p in self.alternatives],
        }


@dataclass
class _Decision:
    """Everything decoding one block produced, for rendering and explaining."""

    tokens: list[Token]
    segs: list[list[int]]             # token indices of each segment
    lattices: list[list[tuple[int, ...]]]  # candidate ids per position of each segment
    costs: list[list[list[float] | None]]  # prior scores per candidate (None: none)
    paths: list[list[int]]            # chosen candidate index per position
    chosen: dict[int, int]            # token index -> chosen word id, for restored words
    source: dict[int, str]            # token index -> RESTORED/KEPT/UNKNOWN/ABBREVIATION for words
    fixed: dict[int, str]             # token index -> output decided without the decoder


class Restorer:
    """Restores diacritics with one loaded model; safe to share across threads."""

    def __init__(self, model: Model | str | Path | None = None, options: Options | None = None, *,
                 user_lexicon: Mapping[str, float] | str | Path | None = None, **kw):
        """`model`: a loaded Model, a model directory, or None for the packaged one.
        `user_lexicon`: a file (see ``userlex``) or a mapping syllable -> score bonus."""
        _check_restorer_arguments(model, options, user_lexicon, kw)
        self.model = model if isinstance(model, Model) else Model.load(model)
        self.options = options if options is not None else Options(**kw)
        lexicon = self.model.lexicon
        self._bos = lexicon.id(BOS)
        self._eos = lexicon.id(EOS)
        self._unk = lexicon.id(UNK)
        self._ocr: OcrCandidates | None = None
        if isinstance(user_lexicon, (str, Path)):
            user_lexicon = read_user_lexicon(user_lexicon)
        self._favour(user_lexicon or {})

    def _favour(self, user_lexicon: Mapping[str, float]) -> None:
        """Set up the user lexicon: a score bonus per word id, extra candidates, and the
        list of syllables the model cannot produce (not in its vocabulary)."""
        lexicon = self.model.lexicon
        self.unknown_user_forms = sorted(f for f in user_lexicon if lexicon.id(f) is None)
        self._bonus = {lexicon.id(f): b for f, b in user_lexicon.items() if lexicon.id(f) is not None}
        # A favoured syllable known only from the fallback inventory (never seen in the
        # corpus) is not normally offered; the user lexicon makes it a candidate.
        self._extra: dict[str, tuple[int, ...]] = {}
        for word_id in self._bonus:
            word_key = key(lexicon.symbols[word_id])
            if word_id not in lexicon.candidates(word_key):
                self._extra[word_key] = self._extra.get(word_key, ()) + (word_id,)

    # -- public API -----------------------------------------------------------------
    def restore(self, text: str) -> str:
        """Restored text: only restored words differ from the input."""
        _check_text(text)
        return "".join(self._restore_block(block) for _, block in _blocks(text))

    def explain(self, text: str) -> list[TokenChoice]:
        """Per-token choices; their outputs concatenated equal ``restore(text)``."""
        _check_text(text)
        choices: list[TokenChoice] = []
        for offset, block in _blocks(text):
            choices.extend(self._explain_block(block, offset))
        return choices

    def restore_lines(self, lines: Iterable[str]) -> Iterator[str]:
        """Restore an iterable of lines (with their line ends), yielding restored lines.

        Output starts before the input ends, and memory stays bounded by the block size
        and the longest paragraph (see ``_line_blocks``).
        """
        _check_lines(lines)
        for block in _line_blocks(lines):
            yield from split_lines(self.restore(block))

    def explain_lines(self, lines: Iterable[str]) -> Iterator[tuple[str, list[TokenChoice]]]:
        """Like ``restore_lines``, with each restored line's token choices (spans count
        from the start of that line)."""
        _check_lines(lines)
        for block in _line_blocks(lines):
            choices = self.explain(block)
            k = 0
            for line in split_lines(block):
                start, end = choices[k].start, choices[k].start + len(line)
                mine = []
                while k < len(choices) and choices[k].start < end:
                    c = choices[k]
                    mine.append(replace(c, start=c.start - start, end=c.end - start))
                    k += 1
                yield "".join(c.output for c in mine), mine

    # -- stages ---------------------------------------------------------------------
    def _plan(self, text: str):
        """Tokens; candidate ids for the words to restore (others get a fixed LM id);
        channel scores per candidate (ocr mode); where each word's output comes from."""
        tokens = list(tokenize(text))
        mode = self.options.mode
        if mode == "ocr" or (mode == "auto" and looks_like_ocr(tokens, self._ocr_candidates())):
            return self._plan_ocr(tokens)
        lexicon = self.model.lexicon
        abbreviations = self.model.abbreviations
        limit = self.options.max_candidates
        accented_lines = _accented_lines(tokens)
        line = 0
        lattice_of: dict[int, tuple[int, ...]] = {}
        source: dict[int, str] = {}
        fixed: dict[int, str] = {}
        for i, tok in enumerate(tokens):
            if tok.kind == NEWLINE:
                line += 1
                continue
            if tok.kind != WORD:
                continue
            text_i = tok.text
            if text_i in abbreviations:
                fixed[i], source[i] = abbreviations[text_i], ABBREVIATION
                continue
            if text_i.isascii():
                lower = text_i.lower()
                keep_as_is = line in accented_lines and is_valid_syllable(lower)
                cands = () if keep_as_is else lexicon.candidates(lower)[:limit] + self._extra.get(lower, ())
                if cands:
                    lattice_of[i] = cands
                    source[i] = RESTORED
                    continue
                source[i] = KEPT if keep_as_is or lexicon.id(lower) is not None else UNKNOWN
            else:
                source[i] = KEPT if is_valid_syllable(unicodedata.normalize("NFC", text_i.lower())) else UNKNOWN
        return Plan(tokens, lattice_of, {}, source, fixed)

    def _plan_ocr(self, tokens: list[Token]) -> Plan:
        return plan_ocr(tokens, self._ocr_candidates(), self.model.abbreviations, self._unk,
                        self.options.keep_score)

    def _ocr_candidates(self) -> OcrCandidates:
        with _OCR_LOCK:  # loaded on first use, once, however many threads ask
            if self._ocr is None:
                self._ocr = OcrCandidates(self.model.lexicon, self.model.ocr_table)
            return self._ocr

    def _lattices(self, tokens: list[Token], lattice_of: dict[int, tuple[int, ...]],
                  channel_of: dict[int, tuple[float, ...]]):
        """Segments, their candidate lattices (LM ids), and per-candidate prior scores.

        A capitalized word inside a sentence is most likely a name, and names spell a key
        with other odds than common words (Nam, Hà, Đức): its candidates become the LM's
        name symbols (^hà), and a form the corpus never wrote capitalized keeps its own
        symbol but pays the smoothed log-share of such uses, scaled by `name_weight`.
        Syllables of the user lexicon get their bonus."""
        lexicon = self.model.lexicon
        weight = self.options.name_weight
        bonus = self._bonus
        segs = segments(tokens)
        lattices, costs = [], []
        for seg in segs:
            lattice, cost = [], []
            for k, i in enumerate(seg):
                cands = lattice_of.get(i)
                extra = None
                if cands is None:
                    sym_id = lexicon.id(symbol(tokens[i]))
                    cands = (self._unk if sym_id is None else sym_id,)
                elif len(cands) > 1:
                    channel = channel_of.get(i)
                    if channel is not None:
                        extra = [self.options.channel_weight * c for c in channel]
                    if bonus and any(c in bonus for c in cands):
                        extra = [(extra[j] if extra else 0.0) + bonus.get(c, 0.0) for j, c in enumerate(cands)]
                if capitalized_inside(tokens, seg, k):
                    as_names = [lexicon.as_name(c) for c in cands]
                    if len(cands) > 1:
                        # A form never seen capitalized has no name symbol: it pays the
                        # (smoothed) odds of being one instead.
                        names = [0.0 if n else weight * lexicon.log_prior_capitalized(c)
                                 for c, n in zip(cands, as_names)]
                        extra = [a + b for a, b in zip(extra, names)] if extra else names
                    cands = tuple(n or c for c, n in zip(cands, as_names))
                lattice.append(cands)
                cost.append(extra)
            lattices.append(lattice)
            costs.append(cost)
        return segs, lattices, costs

    def _decide(self, text: str) -> "_Decision":
        plan = self._plan(text)
        tokens, lattice_of, source = plan.tokens, plan.lattice_of, plan.source
        segs, lattices, costs = self._lattices(tokens, lattice_of, plan.channel_of)
        paths = decode(lattices, self.model.lm, self._bos, self._eos, beam=self.options.beam, costs=costs)
        chosen: dict[int, int] = {}
        for seg, lattice, path in zip(segs, lattices, paths):
            for i, cands, pick in zip(seg, lattice, path):
                if i in lattice_of and cands[pick] != self._unk:  # <unk>: keep as read
                    chosen[i] = self.model.lexicon.plain(cands[pick])
                elif i in lattice_of:
                    source[i] = KEPT
        return _Decision(tokens, segs, lattices, costs, paths, chosen, source, plan.fixed)

    def _form(self, token: Token, word_id: int) -> str:
        form = self.model.lexicon.symbols[word_id]
        if self.options.style != "new":
            form = normalize_syllable(form, self.options.style)
        return apply_case(token.text, form)

    def _restore_block(self, text: str) -> str:
        decision = self._decide(text)
        tokens = decision.tokens
        replacements = {i: self._form(tokens[i], w) for i, w in decision.chosen.items()}
        return render(tokens, {**replacements, **decision.fixed})

    def _explain_block(self, text: str, offset: int) -> list[TokenChoice]:
        decision = self._decide(text)
        chosen, source = decision.chosen, decision.source
        posteriors = self._posteriors(decision)
        result = []
        for i, tok in enumerate(decision.tokens):
            start, end = offset + tok.start, offset + tok.end
            if i in chosen:
                alts = posteriors.get(i, [(chosen[i], 1.0)])
                forms = tuple((tok.text if w == self._unk else self._form(tok, w), p) for w, p in alts)
                output = self._form(tok, chosen[i])
                conf = dict(alts).get(chosen[i], 1.0)
                result.append(TokenChoice(start, end, tok.kind, tok.text, output, RESTORED, conf, forms))
            else:
                output = decision.fixed.get(i, tok.text)
                result.append(TokenChoice(start, end, tok.kind, tok.text, output, source.get(i, PROTECTED)))
        return result

    def _posteriors(self, decision: "_Decision") -> dict[int, list[tuple[int, float]]]:
        """For each restored token, every candidate's probability given the rest of the
        chosen path (a softmax over the scores of the path with that one word swapped)."""
        lm = self.model.lm
        plain = self.model.lexicon.plain  # name symbols (^hà) back to their forms
        window = lm.order  # a word affects the scores of itself and the next order-1 words
        result: dict[int, list[tuple[int, float]]] = {}
        for seg, lattice, cost, path in zip(decision.segs, decision.lattices, decision.costs, decision.paths):
            words = [cands[p] for cands, p in zip(lattice, path)] + [self._eos]
            states = [lm.initial_state(self._bos)]
            for w in words[:-1]:
                _, nxt = lm.score(np.array([states[-1]], dtype=np.uint64), np.array([w], dtype=np.uint64))
                states.append(int(nxt[0]))
            pairs = [(t, c) for t, cands in enumerate(lattice) if len(cands) > 1 for c in cands]
            if not pairs:
                continue
            state = np.array([states[t] for t, _ in pairs], dtype=np.uint64)
            total = np.array([cost[t][j] if cost[t] is not None else 0.0
                              for t, cands in enumerate(lattice) if len(cands) > 1 for j in range(len(cands))])
            for k in range(window):
                pos = np.array([t + k for t, _ in pairs])
                live = pos < len(words)
                word = np.array([c if k == 0 else words[min(t + k, len(words) - 1)] for t, c in pairs],
                                dtype=np.uint64)
                lp, state = lm.score(state, word)
                total += np.where(live, lp, 0.0)
            by_position: dict[int, list[tuple[int, float]]] = {}
            for (t, c), score in zip(pairs, total):
                by_position.setdefault(t, []).append((c, float(score)))
            for t, scored in by_position.items():
                best = max(s for _, s in scored)
                weights = [(c, float(np.exp(s - best))) for c, s in scored]
                norm = sum(w for _, w in weights)
                result[seg[t]] = sorted(((plain(c), w / norm) for c, w in weights), key=lambda e: -e[1])
        return result


# -- argument checks (wrong types raise TypeError/ValueError naming the argument) ------
_OPTION_TYPES = {"style": str, "mode": str, "beam": int, "max_candidates": int,
                 "name_weight": float, "channel_weight": float, "keep_score": float}


def _check_options(options: Options) -> None:
    """Every Options field has its type (a whole number for int fields, any real number
    for float ones, never a bool) and float fields are finite."""
    for name, kind in _OPTION_TYPES.items():
        value = getattr(options, name)
        numeric = (int, float) if kind is float else (kind,)
        if not isinstance(value, numeric) or isinstance(value, bool):
            wanted = {str: "a string", int: "a whole number", float: "a number"}[kind]
            raise TypeError(f"Options.{name} must be {wanted}, not {type(value).__name__} {value!r}")
        if kind is float and not np.isfinite(value):
            raise ValueError(f"Options.{name} must be a finite number, not {value!r}")
    if options.channel_weight < 0:
        raise ValueError("Options.channel_weight must not be negative")


def _check_restorer_arguments(model, options, user_lexicon, kw) -> None:
    if not (model is None or isinstance(model, (Model, str, Path))):
        raise TypeError(f"model must be a Model, a model directory or None, not {type(model).__name__}")
    if options is not None and not isinstance(options, Options):
        raise TypeError(f"options must be an Options, not {type(options).__name__}")
    if options is not None and kw:
        raise TypeError(f"give either options= or option keywords ({', '.join(kw)}=...), not both: "
                        f"use Options({', '.join(f'{k}=...' for k in kw)}) or dataclasses.replace(options, ...)")
    if not (user_lexicon is None or isinstance(user_lexicon, (Mapping, str, Path))):
        raise TypeError(f"user_lexicon must be a mapping, a file or None, not {type(user_lexicon).__name__}")


def _check_text(text) -> None:
    if not isinstance(text, str):
        hint = " (decode it first: data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"text must be a str, not {type(text).__name__}{hint}")


def _check_lines(lines) -> None:
    if isinstance(lines, (bytes, bytearray)) or not isinstance(lines, Iterable):
        raise TypeError(f"lines must be an iterable of str, not {type(lines).__name__}")


def _accented_lines(tokens: list[Token]) -> set[int]:
    """Lines written with diacritics: there a plain word that is a valid syllable (cho,
    la, anh) was most likely meant as written, so it is kept."""
    accented: set[int] = set()
    line, marked, plain = 0, 0, 0
    for tok in tokens + [Token(0, 0, NEWLINE, "")]:
        if tok.kind == NEWLINE:
            if marked and marked >= _ACCENTED_LINE_SHARE * (marked + plain):
                accented.add(line)
            line, marked, plain = line + 1, 0, 0
        elif tok.kind == WORD:
            if has_accents(tok.text):
                marked += 1
            elif tok.text.isascii():
                plain += 1
    return accented


_CONTINUES = regex.compile(r"[^\S\r\n]*\p{Ll}")
# Block cut points, best first: a line break before a line that does not continue the
# sentence, a sentence end, any whitespace.
_CUTS = tuple(regex.compile(p) for p in (r"\n(?![^\S\r\n]*\p{Ll})", r"[.!?…]\s", r"\s"))


def _line_blocks(lines: Iterable[str]) -> Iterator[str]:
    """Join lines into blocks of about BLOCK_CHARS that end where a sentence cannot
    continue (a blank line, or before a line that does not start with a lower-case
    word), so that cutting the input into blocks never cuts a sentence's context."""
    pending: list[str] = []
    size = 0
    for line in lines:
        if pending and size >= BLOCK_CHARS and not _continues(line):
            yield "".join(pending)
            pending, size = [], 0
        pending.append(line)
        size += len(line)
        if size >= 4 * BLOCK_CHARS:  # one paragraph with no break: cut anyway
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def _continues(line: str) -> bool:
    return _CONTINUES.match(line) is not None


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Split text into pieces of about BLOCK_CHARS that concatenate back to it.

    A cut is made where no sentence spans it if possible: the first line break before a
    line that does not continue the sentence between half and twice BLOCK_CHARS, else a
    sentence end there, else any whitespace there, else the next whitespace however far
    (a cut inside a token would change how it is read)."""
    start = 0
    n = len(text)
    while n - start > BLOCK_CHARS:
        low, high = start + BLOCK_CHARS // 2, min(n, start + 2 * BLOCK_CHARS)
        for pattern in _CUTS:
            match = pattern.search(text, low, high)
            if match:
                break
        else:
            match = _CUTS[-1].search(text, high)
        if match is None:
            break
        yield start, text[start:match.end()]
        start = match.end()
    if start < n or n == 0:
        yield start, text[start:]
