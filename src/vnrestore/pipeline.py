"""The restorer: tokenize -> candidates -> decode -> render.

``Restorer`` holds a loaded model (read-only, so one instance can serve many threads)
and runs the stages over blocks of text of bounded size, so memory stays flat however
long the input is.  Each stage hands plain values to the next and never reaches back.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import regex

from . import many
from .casing import apply_case
from .decode import decode
from .lattice import Lattices, build_lattices
from .memory import DocumentMemory
from .model import Model, table_file
from .orthography import STYLES, normalize_syllable
from .ocr import (ENGINE_SAMPLE, OcrCandidates, looks_like_ocr, may_be_vietnamese_engine, plan_ocr,
                  read_by_vietnamese_engine)
from .plan import ABBREVIATION, KEPT, PROTECTED, RESTORED, UNKNOWN, Plan  # noqa: F401 (the source labels, re-exported)
from .posterior import posteriors
from .segment import BOS, EOS, NUM, UNK
from .sources import plan_with
from .spelled_out import respell
from .sources.abbreviations import AbbreviationSource
from .sources.codes import (CODE_LETTERS_FILE, CODE_WORDS_FILE, CodeSource, WordsAfterSlash, read_code_letters,
                            read_code_words)
from .sources.lexicon import LexiconSource, UserLexicon
from .sources.names import NameSource
from .tokenize import Token, render, tokenize
from .userlex import read_user_lexicon

MODES = ("auto", "plain", "ocr")
BLOCK_CHARS = 32_000  # text decoded per batch; bounds memory on any input size (the document
#                       memory's arrays peak at about 250 bytes a character of a block)
_OCR_LOCK = threading.Lock()


@dataclass(frozen=True)
class Options:
    """Everything configurable about restoration (one frozen object, keyword-only)."""

    style: str = "new"  # tone placement of restored words: "new" (hòa, thủy) or "old" (hoà, thuỷ)
    beam: int = 12      # hypotheses kept per segment at each step
    max_candidates: int = 32  # accented forms considered per word, most frequent first
    name_weight: float = 0.5   # capitalized words inside sentences: weight of the odds against
    #                            forms never seen in names
    caps_name_cost: float | None = 2.0  # ALL-CAPS words: score added to reading one as a name
    #                                      (None: never)
    common_reading_cost: float | None = -4.0  # a capitalized word inside a sentence that nothing
    #                                      marks as a name: score added to reading it as a common
    #                                      word (Huyện đoàn, Đảng; None: names only)
    prescribed_hang: bool = False  # "hằng" before a unit of time (hằng năm, hằng tháng), the form
    #                                administrative writing prescribes, whatever the corpus writes
    name_list_weight: float = 1.0  # a word its neighbours mark as a place or person name:
    #                                weight of its form's log-share in the name lists (0: off)
    mode: str = "auto"  # "plain": only lost diacritics; "ocr": also OCR letter noise (ciia, x3,
    #                     d6i); "auto": ocr for blocks of text that look OCR'd, else plain
    channel_weight: float = 1.0  # ocr mode: weight of log P(OCR reading | syllable)
    keep_score: float = -12.0    # ocr mode: channel score of leaving a word as the OCR read it
    memory_weight: float = 1.0   # weight of the document's own choices for a word (``memory``; 0: off)
    trigger_weight: float = 0.15  # weight of what the words 3 to 6 words away say of a word's forms
    #                               (``triggers``; 0: off, as for a model without the table)

    def __post_init__(self):
        _check_options(self)
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.beam < 1 or self.max_candidates < 1:
            raise ValueError("beam and max_candidates must be at least 1")
        if min(self.name_weight, self.name_list_weight, self.memory_weight, self.trigger_weight) < 0:
            raise ValueError("name_weight, name_list_weight, memory_weight and trigger_weight must not be negative")
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
    detail: str = ""  # where an abbreviation's output and LM reading came from ("" if nothing to say)

    def as_dict(self) -> dict:
        result = {
            "start": self.start, "end": self.end, "kind": self.kind, "input": self.input,
            "output": self.output, "source": self.source, "confidence": round(self.confidence, 4),
            "alternatives": [[form, round(p, 4)] for form, p in self.alternatives],
        }
        if self.detail:
            result["detail"] = self.detail
        return result


@dataclass
class _Decision:
    """Everything decoding one block produced, for rendering and explaining."""

    tokens: list[Token]
    lattices: Lattices                # positions, candidates and prior scores per segment
    paths: list[list[int]]            # chosen candidate index per position
    chosen: dict[int, int]            # token index -> chosen word id, for restored words
    source: dict[int, str]            # token index -> RESTORED/KEPT/UNKNOWN/ABBREVIATION for words
    fixed: dict[int, str]             # token index -> output decided without the decoder
    detail: dict[int, str]            # token index -> where its output came from (codes), for explain


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
        self._as_read = (self._unk, lexicon.id(NUM))  # candidates that keep a word as read (ocr)
        self._ocr: OcrCandidates | None = None
        if isinstance(user_lexicon, (str, Path)):
            user_lexicon = read_user_lexicon(user_lexicon)
        self._favour(user_lexicon or {})

    def _favour(self, user_lexicon: Mapping[str, float]) -> None:
        """Set up the candidate sources; the user lexicon gives a score bonus per word id,
        extra candidates, and the list of syllables the model cannot produce."""
        lexicon = self.model.lexicon
        user = UserLexicon(lexicon, user_lexicon)
        self.unknown_user_forms = user.unknown_forms
        self._bonus = user.bonus
        self._abbreviations = AbbreviationSource(self.model.abbreviations, lexicon, self.model.expansions,
                                                 self.model.abbreviation_origin)
        directory = self.model.path
        codes = CodeSource(lexicon, read_code_letters(table_file(directory, CODE_LETTERS_FILE)),
                           self.model.abbreviations, self.model.abbreviation_origin)
        units = WordsAfterSlash(lexicon, read_code_words(table_file(directory, CODE_WORDS_FILE)))
        self._sources = [codes, self._abbreviations,
                         LexiconSource(lexicon, self.options.max_candidates, user.extra,
                                       self.options.prescribed_hang), units]
        self._names = NameSource(lexicon, self.options.name_weight, self.options.caps_name_cost,
                                 list_weight=self.options.name_list_weight,
                                 common_cost=self.options.common_reading_cost)
        self._memory = (DocumentMemory(lexicon, self.options.memory_weight, as_read=self._as_read)
                        if self.options.memory_weight else None)

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

    def restore_many(self, texts: Iterable[str], *, batch_size: int | None = None) -> list[str]:
        """Restore many separate texts (records, cells, titles): one result per text,
        each equal to ``restore(text)``, at about the speed of one ``restore`` over all
        of them joined (they are decoded together in blocks of about BLOCK_CHARS).

        Texts never influence each other: each gets its own LM context and, in auto
        mode, its own choice of plain or OCR reading.  `batch_size` caps how many texts
        are decoded together (default: as many as fit in one block); a smaller batch
        only costs speed.  Use ``restore`` for one document and ``restore_lines`` for the
        lines of one document (there context runs across lines)."""
        texts = _text_list(texts, "texts")
        results = [""] * len(texts)
        for restorer, indices in self._many_groups(texts, batch_size):
            if len(indices) == 1 and len(texts[indices[0]]) > BLOCK_CHARS:
                results[indices[0]] = self.restore(texts[indices[0]])
                continue
            block, spans = many.join([texts[i] for i in indices], many.SEPARATOR)
            tokens, outputs = restorer._outputs(block, spans)
            for i, out in zip(indices, many.cut_outputs(block, tokens, outputs, spans)):
                results[i] = out
        return results

    def explain_many(self, texts: Iterable[str], *, batch_size: int | None = None) -> list[list[TokenChoice]]:
        """``explain`` for many separate texts, decoded together like ``restore_many``:
        one list of choices per text, spans counting from the start of that text."""
        texts = _text_list(texts, "texts")
        results: list[list[TokenChoice]] = [[] for _ in texts]
        for restorer, indices in self._many_groups(texts, batch_size):
            if len(indices) == 1 and len(texts[indices[0]]) > BLOCK_CHARS:
                results[indices[0]] = self.explain(texts[indices[0]])
                continue
            block, spans = many.join([texts[i] for i in indices], many.SEPARATOR)
            for i, mine in zip(indices, many.cut_choices(block, restorer._explain_block(block, 0, spans), spans)):
                results[i] = mine
        return results

    def restore_lines(self, lines: Iterable[str]) -> Iterator[str]:
        """Restore the lines of one document, yielding one restored item per item.

        Each item is one line whether or not it ends with a line break (a line end it
        has is kept, none is added).  Context runs across lines as in ``restore``; use
        ``restore_many`` for separate texts.  Output starts before the input ends, and
        memory stays bounded by the block size and the longest paragraph (see
        ``_line_blocks``)."""
        _check_lines(lines)
        for items in _line_blocks(lines):
            block, spans = many.join(items, None)
            tokens, outputs = self._outputs(block)
            yield from many.cut_outputs(block, tokens, outputs, spans)

    def explain_lines(self, lines: Iterable[str]) -> Iterator[tuple[str, list[TokenChoice]]]:
        """Like ``restore_lines``, with each restored line's token choices (spans count
        from the start of that line)."""
        _check_lines(lines)
        for items in _line_blocks(lines):
            block, spans = many.join(items, None)
            for mine in many.cut_choices(block, self._explain_block(block, 0), spans):
                yield "".join(c.output for c in mine), mine

    def _many_groups(self, texts: list[str], batch_size: int | None) -> Iterator[tuple["Restorer", list[int]]]:
        """Groups of texts to decode together, with the restorer for their mode: in auto
        mode each text's mode is decided from that text alone, as ``restore`` would."""
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
        by_mode: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            by_mode.setdefault(self._mode_of(text), []).append(i)
        accented = by_mode.pop(_ACCENTED, [])
        engine = self._read_by_vietnamese_engine(texts, accented)
        for i in accented:
            by_mode.setdefault("ocr" if i in engine else "plain", []).append(i)
        for mode, indices in by_mode.items():
            indices.sort()
            restorer = self._in_mode(mode)
            yield from ((restorer, group) for group in many.pack(texts, indices, BLOCK_CHARS, batch_size))

    def _mode_of(self, text: str) -> str:
        mode = self.options.mode
        if mode != "auto" or len(text) > BLOCK_CHARS:  # a long text: restore decides per block
            return mode
        if _NO_OCR_SIGN.search(text) is None:
            # ASCII without digits or '&' has none of looks_like_ocr's strong signs (a
            # letter-digit/symbol mix, a word with é), so it is plain: most texts are
            # decided without tokenizing them twice (11 % of restore_many's time).
            return "plain"
        tokens = list(tokenize(text))
        if looks_like_ocr(tokens, self._ocr_candidates()):
            return "ocr"
        return _ACCENTED if may_be_vietnamese_engine(tokens) else "plain"

    def _read_by_vietnamese_engine(self, texts: list[str], indices: list[int]) -> set[int]:
        """Which of these accented texts a Vietnamese OCR engine read, each judged alone
        as ``restore`` would (``_vietnamese_engine``), the short ones in blocks of many
        (one OCR-mode decoding for them all, not one each)."""
        found = {i for i in indices if len(texts[i]) > ENGINE_SAMPLE and self._vietnamese_engine(texts[i])}
        ocr = self._engine_check()
        short = [i for i in indices if len(texts[i]) <= ENGINE_SAMPLE]
        for group in many.pack(texts, short, BLOCK_CHARS, None):
            block, spans = many.join([texts[i] for i in group], many.SEPARATOR)
            decision = ocr._decide(block)
            for i, mine in zip(group, many.overlapping(decision.tokens, spans)):
                if read_by_vietnamese_engine(decision.tokens, decision.chosen, self.model.lexicon, mine):
                    found.add(i)
        return found

    def _vietnamese_engine(self, text: str) -> bool:
        """Whether a Vietnamese OCR engine read this accented block
        (ocr.read_by_vietnamese_engine): auto mode restores such a block in OCR mode,
        which repairs its tone and letter errors; plain mode would not.  OCR mode
        decodes the block's first ENGINE_SAMPLE characters (to a line's end) to judge:
        over accented text that costs about what plain mode's whole decoding does."""
        cut = text.find("\n", ENGINE_SAMPLE)
        decision = self._engine_check()._decide(text if cut < 0 else text[:cut])
        return read_by_vietnamese_engine(decision.tokens, decision.chosen, self.model.lexicon)

    def _engine_check(self) -> "Restorer":
        """OCR mode without the document memory: what judges a Vietnamese engine's
        output needs the first reading only (the memory's second pass would double it)."""
        twin = copy.copy(self._in_mode("ocr"))
        twin._memory = None
        return twin

    def _in_mode(self, mode: str) -> "Restorer":
        """This restorer (same model and lexicons) with `mode` fixed."""
        if mode == self.options.mode:
            return self
        twin = copy.copy(self)
        twin.options = replace(self.options, mode=mode)
        if mode == "ocr":
            twin._ocr = self._ocr_candidates()
        return twin

    # -- stages ---------------------------------------------------------------------
    def _plan(self, text: str) -> Plan:
        """Tokens; candidate ids for the words to restore (others get a fixed LM id);
        channel scores per candidate (ocr mode); where each word's output comes from."""
        tokens = list(tokenize(text))
        mode = self.options.mode
        if mode == "ocr" or (mode == "auto" and (looks_like_ocr(tokens, self._ocr_candidates()) or (
                may_be_vietnamese_engine(tokens) and self._vietnamese_engine(text)))):
            return plan_ocr(tokens, self._ocr_candidates(), self.model.abbreviations, self._unk,
                            self.options.keep_score)
        return plan_with(tokens, self._sources)

    def _ocr_candidates(self) -> OcrCandidates:
        with _OCR_LOCK:  # loaded on first use, once, however many threads ask
            if self._ocr is None:
                self._ocr = OcrCandidates(self.model.lexicon, self.model.ocr_table)
            return self._ocr

    def _decide(self, text: str, spans: Sequence[many.Span] = ()) -> "_Decision":
        """`spans`: the separate texts the block joins (``restore_many``), which must not
        share a document memory."""
        plan = self._plan(text)
        lattice_of, source = plan.lattice_of, plan.source
        lat = build_lattices(plan, self.model.lexicon, self._unk, self._names, self._bonus,
                             self.options.channel_weight, self._abbreviations)
        groups = many.first_tokens(plan.tokens, spans)
        if self.options.trigger_weight and self.model.triggers is not None:
            self.model.triggers.add_to(lat, plan, self.model.lexicon, self.options.trigger_weight, groups)
        paths = decode(lat.lattices, self.model.lm, self._bos, self._eos, beam=self.options.beam,
                       costs=lat.costs)
        if self._memory is not None:
            paths, notes = self._memory.revise(plan.tokens, lat, paths, self.model.lm, self._bos, self._eos,
                                               self.options.beam, groups)
            plan.detail.update(notes)
        chosen: dict[int, int] = {}
        for seg, lattice, path in zip(lat.positions, lat.lattices, paths):
            for i, cands, pick in zip(seg, lattice, path):
                if i in lattice_of and cands[pick] not in self._as_read:  # <unk>, <num>: as read
                    chosen[i] = self.model.lexicon.plain(cands[pick])
                elif i in lattice_of:
                    source[i] = KEPT
        respell(plan, chosen, self.model.lexicon.symbols, groups)
        return _Decision(plan.tokens, lat, paths, chosen, source, plan.fixed, plan.detail)

    def _form(self, token: Token, word_id: int) -> str:
        form = self.model.lexicon.symbols[word_id]
        if self.options.style != "new":
            form = normalize_syllable(form, self.options.style)
        case_for = getattr(token, "case_for", None)  # ocr_context.OcrWord: case from the letters
        return apply_case(case_for(form) if case_for else token.text, form)

    def _restore_block(self, text: str) -> str:
        return render(*self._outputs(text))

    def _outputs(self, text: str, spans: Sequence[many.Span] = ()) -> tuple[list[Token], dict[int, str]]:
        """The block's tokens and the output of each token that changes."""
        decision = self._decide(text, spans)
        tokens = decision.tokens
        replacements = {i: self._form(tokens[i], w) for i, w in decision.chosen.items()}
        return tokens, {**replacements, **decision.fixed}

    def _explain_block(self, text: str, offset: int, spans: Sequence[many.Span] = ()) -> list[TokenChoice]:
        decision = self._decide(text, spans)
        chosen, source = decision.chosen, decision.source
        posteriors = self._posteriors(decision)
        result = []
        for i, tok in enumerate(decision.tokens):
            start, end = offset + tok.start, offset + tok.end
            if i in chosen:
                alts = posteriors.get(i, [(chosen[i], 1.0)])
                forms = tuple((tok.text if w in self._as_read else self._form(tok, w), p) for w, p in alts)
                output = self._form(tok, chosen[i])
                conf = dict(alts).get(chosen[i], 1.0)
                result.append(TokenChoice(start, end, tok.kind, tok.text, output, RESTORED, conf, forms,
                                          decision.detail.get(i, "")))
            else:
                output = decision.fixed.get(i, tok.text)
                label = source.get(i, PROTECTED)
                detail = decision.detail.get(i) or (
                    self._abbreviations.detail(tok.text, output) if label != PROTECTED else "")
                if detail and label == UNKNOWN:
                    label = ABBREVIATION  # not unknown: read as what it stands for
                result.append(TokenChoice(start, end, tok.kind, tok.text, output, label, detail=detail))
        return result

    def _posteriors(self, decision: "_Decision") -> dict[int, list[tuple[int, float]]]:
        return posteriors(decision.lattices, decision.paths, self.model.lm, self._bos, self._eos,
                          self.model.lexicon.plain)


def _text_list(texts: Iterable[str], name: str) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be an iterable of strings, not a single {type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(text).__name__}")
    return texts


# -- argument checks (wrong types raise TypeError/ValueError naming the argument) ------
_OPTION_TYPES = {"style": str, "mode": str, "beam": int, "max_candidates": int,
                 "name_weight": float, "name_list_weight": float, "channel_weight": float, "keep_score": float,
                 "memory_weight": float, "trigger_weight": float}


def _check_options(options: Options) -> None:
    """Every Options field has its type (a whole number for int fields, any real number
    for float ones, never a bool) and float fields are finite."""
    for name, kind in _OPTION_TYPES.items():
        value = getattr(options, name)
        numeric = (int, float) if kind is float else (kind,)
        if not isinstance(value, numeric) or isinstance(value, bool):
            wanted = {str: "a string", int: "a whole number", float: "a number"}[kind]
            raise TypeError(f"Options.{name} must be {wanted}, not {type(value).__name__} {value!r}")
        if kind is float and not math.isfinite(value):
            raise ValueError(f"Options.{name} must be a finite number, not {value!r}")
    if options.channel_weight < 0:
        raise ValueError("Options.channel_weight must not be negative")
    if not isinstance(options.prescribed_hang, bool):
        raise TypeError(f"Options.prescribed_hang must be True or False, not {type(options.prescribed_hang).__name__}")
    for name in ("caps_name_cost", "common_reading_cost"):
        cost = getattr(options, name)
        if cost is not None and (not isinstance(cost, (int, float)) or isinstance(cost, bool) or not math.isfinite(cost)):
            raise TypeError(f"Options.{name} must be a finite number or None, not {type(cost).__name__} {cost!r}")


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


_ACCENTED = "accented"  # _mode_of: plain mode, unless a Vietnamese OCR engine read it
_NO_OCR_SIGN = regex.compile(r"[^\x00-\x7f]|[0-9&]")
_CONTINUES = regex.compile(r"[^\S\r\n]*\p{Ll}")
# Block cut points, best first: a line break before a line that does not continue the
# sentence, a sentence end, any whitespace.
_CUTS = tuple(regex.compile(p) for p in (r"\n(?![^\S\r\n]*\p{Ll})", r"[.!?…]\s", r"\s"))


def _line_blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    """Join lines into blocks of about BLOCK_CHARS that end where a sentence cannot
    continue (a blank line, or before a line that does not start with a lower-case
    word), so that cutting the input into blocks never cuts a sentence's context."""
    pending: list[str] = []
    size = 0
    for line in lines:
        if pending and size >= BLOCK_CHARS and not _continues(line):
            yield pending
            pending, size = [], 0
        pending.append(line)
        size += len(line)
        if size >= 4 * BLOCK_CHARS:  # one paragraph with no break: cut anyway
            yield pending
            pending, size = [], 0
    if pending:
        yield pending


def _continues(line: str) -> bool:
    return _CONTINUES.match(line) is not None


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Split text into pieces of about BLOCK_CHARS that concatenate back to it, cut
    where ``restore_lines`` cuts the same text's lines (``_line_blocks``), so that both
    give every word the same document memory; a piece that is one paragraph of more
    than 4 x BLOCK_CHARS with no line break to cut at is cut inside (``_cut_long``)."""
    offset = 0
    for items in _line_blocks(text.splitlines(keepends=True)):
        block = "".join(items)
        if len(block) > 4 * BLOCK_CHARS:
            yield from ((offset + start, piece) for start, piece in _cut_long(block))
        else:
            yield offset, block
        offset += len(block)
    if not text:
        yield 0, text


def _cut_long(text: str) -> Iterator[tuple[int, str]]:
    """Split one long paragraph into pieces of about BLOCK_CHARS.

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
