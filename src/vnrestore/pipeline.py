"""The restorer: tokenize -> candidates -> decode -> render.

``Restorer`` holds a loaded model (read-only, so one instance can serve many threads)
and runs the stages over blocks of text of bounded size, so memory stays flat however
long the input is.  Each stage hands plain values to the next and never reaches back.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from . import automode, blocks, many
from .casing import apply_case
from .choices import Decision, TokenChoice
from .choices import explain as explain_choices
from .decode import decode
from .lattice import build_lattices
from .memory import DocumentMemory
from .model import Model, table_file
from .orthography import STYLES, has_accents, normalize_syllable
from .ocr import OcrCandidates, plan_ocr
from .plan import ABBREVIATION, KEPT, PROTECTED, RESTORED, UNKNOWN, Plan
from .posterior import posteriors
from .segment import BOS, EOS, NUM, UNK
from .sources import plan_with
from .spelled_out import respell
from .sources.abbreviations import AbbreviationSource
from .sources.codes import (CODE_LETTERS_FILE, CODE_WORDS_FILE, CodeSource, WordsAfterSlash, read_code_letters,
                            read_code_words)
from .sources.lexicon import LexiconSource, UserLexicon
from .sources.names import NameSource
from .sources.retone import RetoneSource
from .tokenize import WORD, Token, render, tokenize
from .userlex import read_user_lexicon

__all__ = ["Options", "Restorer", "TokenChoice", "MODES",
           "RESTORED", "KEPT", "UNKNOWN", "ABBREVIATION", "PROTECTED"]  # the source labels too

MODES = ("auto", "plain", "ocr")
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
    typed_cost: float | None = 5.0  # on a line written with diacritics, a plain word that is a
    #                                  syllable as written (cong, cho): score its accented forms
    #                                  pay against it (``tốt cong tác`` -> công; None: always kept)
    retone_cost: float | None = 16.0  # an accented word (xả hội): score its other accented forms
    #                                    pay against it (None: accented words are always kept)
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
        for name in ("typed_cost", "retone_cost"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)!r}")
        if min(self.name_weight, self.name_list_weight, self.memory_weight, self.trigger_weight) < 0:
            raise ValueError("name_weight, name_list_weight, memory_weight and trigger_weight must not be negative")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")


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
        retone = ([RetoneSource(lexicon, self.options.retone_cost, self.model.lm.has_bigrams)]
                  if self.options.retone_cost is not None else [])
        self._sources = [codes, self._abbreviations, *retone,
                         LexiconSource(lexicon, self.options.max_candidates, user.extra,
                                       self.options.prescribed_hang, self.options.typed_cost), units]
        self._names = NameSource(lexicon, self.options.name_weight, self.options.caps_name_cost,
                                 list_weight=self.options.name_list_weight,
                                 common_cost=self.options.common_reading_cost)
        self._memory = (DocumentMemory(lexicon, self.options.memory_weight, as_read=self._as_read)
                        if self.options.memory_weight else None)

    # -- public API -----------------------------------------------------------------
    def restore(self, text: str) -> str:
        """Restored text: only restored words differ from the input."""
        _check_text(text)
        return "".join(self._restore_block(block) for _, block in blocks.of_text(text))

    def explain(self, text: str) -> list[TokenChoice]:
        """Per-token choices; their outputs concatenated equal ``restore(text)``."""
        _check_text(text)
        choices: list[TokenChoice] = []
        for offset, block in blocks.of_text(text):
            choices.extend(self._explain_block(block, offset))
        return choices

    def restore_many(self, texts: Iterable[str], *, batch_size: int | None = None) -> list[str]:
        """Restore many separate texts (records, cells, titles): one result per text,
        each equal to ``restore(text)``, at about the speed of one ``restore`` over all
        of them joined (they are decoded together in blocks of about ``blocks.BLOCK_CHARS``).

        Texts never influence each other: each gets its own LM context and, in auto
        mode, its own choice of plain or OCR reading.  `batch_size` caps how many texts
        are decoded together (default: as many as fit in one block); a smaller batch
        only costs speed.  Use ``restore`` for one document and ``restore_lines`` for the
        lines of one document (there context runs across lines)."""
        texts = _text_list(texts, "texts")
        results = [""] * len(texts)
        for restorer, indices in self._many_groups(texts, batch_size):
            if len(indices) == 1 and len(texts[indices[0]]) > blocks.BLOCK_CHARS:
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
            if len(indices) == 1 and len(texts[indices[0]]) > blocks.BLOCK_CHARS:
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
        ``blocks.of_lines``)."""
        _check_lines(lines)
        for items in blocks.of_lines(lines):
            block, spans = many.join(items, None)
            tokens, outputs = self._outputs(block)
            yield from many.cut_outputs(block, tokens, outputs, spans)

    def explain_lines(self, lines: Iterable[str]) -> Iterator[tuple[str, list[TokenChoice]]]:
        """Like ``restore_lines``, with each restored line's token choices (spans count
        from the start of that line)."""
        _check_lines(lines)
        for items in blocks.of_lines(lines):
            block, spans = many.join(items, None)
            for mine in many.cut_choices(block, self._explain_block(block, 0), spans):
                yield "".join(c.output for c in mine), mine

    def _many_groups(self, texts: list[str], batch_size: int | None) -> Iterator[tuple["Restorer", list[int]]]:
        """Groups of texts to decode together, with the restorer for their mode."""
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
        for mode, indices in automode.modes_of(self, texts).items():
            restorer = self._in_mode(mode)
            yield from ((restorer, group) for group in many.pack(texts, indices, blocks.BLOCK_CHARS, batch_size))

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
        if mode == "ocr" or (mode == "auto" and automode.reads_as_ocr(self, tokens, text)):
            return plan_ocr(tokens, self._ocr_candidates(), self.model.abbreviations, self._unk,
                            self.options.keep_score)
        return plan_with(tokens, self._sources)

    def _ocr_candidates(self) -> OcrCandidates:
        with _OCR_LOCK:  # loaded on first use, once, however many threads ask
            if self._ocr is None:
                self._ocr = OcrCandidates(self.model.lexicon, self.model.ocr_table)
            return self._ocr

    def _decide(self, text: str, spans: Sequence[many.Span] = ()) -> Decision:
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
            # a word typed plain among accented ones may follow the text's own accented
            # words: no written form to keep it by (plan.prior_of's cost already does)
            written = [i for i, tok in enumerate(plan.tokens)
                       if tok.kind == WORD and i not in lattice_of and has_accents(tok.text)]
            paths, notes = self._memory.revise(plan.tokens, lat, paths, self.model.lm, self._bos, self._eos,
                                               self.options.beam, groups, plan.as_written - plan.typed,
                                               written)
            plan.detail.update(notes)
        chosen: dict[int, int] = {}
        lexicon = self.model.lexicon
        for seg, lattice, path in zip(lat.positions, lat.lattices, paths):
            for i, cands, pick in zip(seg, lattice, path):
                if i not in lattice_of:
                    continue
                word = lexicon.plain(cands[pick]) if cands[pick] not in self._as_read else None  # <unk>, <num>: as read
                if word is None or (i in plan.prior_of and word == lattice_of[i][0]):
                    source[i] = KEPT  # as read, or as written (a typed or accented word's first candidate)
                else:
                    chosen[i] = word
        respell(plan, chosen, lexicon.symbols, groups)
        return Decision(plan.tokens, lat, paths, chosen, source, plan.fixed, plan.detail)

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
        alternatives = posteriors(decision.lattices, decision.paths, self.model.lm, self._bos, self._eos,
                                  self.model.lexicon.plain)
        return explain_choices(decision, alternatives, offset, self._form, self._as_read, self._abbreviations.detail)


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
    for name in ("caps_name_cost", "common_reading_cost", "typed_cost", "retone_cost"):
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


