"""Auto mode (``Options.mode="auto"``, the default): which text to read as OCR output.

A block is restored in OCR mode when it looks OCR'd (``ocr.looks_like_ocr``: words mixing
letters and digits, an English engine's é), or when it is accented text a Vietnamese
OCR engine read: OCR mode decodes a sample of it, and its tone and letter repairs tell
(``ocr.read_by_vietnamese_engine``); else in plain mode.  ``restore_many`` decides for
each text alone, as ``restore`` would for that text, but judges the short accented ones
in one decoding.  These functions read the restorer's own stages (its OCR candidates,
its decoding in OCR mode): they are its auto mode, kept in a room of their own.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import regex

from . import blocks, many
from .ocr import ENGINE_SAMPLE, looks_like_ocr, may_be_vietnamese_engine, read_by_vietnamese_engine
from .tokenize import Token, tokenize

if TYPE_CHECKING:
    from .pipeline import Restorer

_ACCENTED = "accented"  # _mode_of: plain mode, unless a Vietnamese OCR engine read it
_NO_OCR_SIGN = regex.compile(r"[^\x00-\x7f]|[0-9&]")


def reads_as_ocr(restorer: Restorer, tokens: list[Token], text: str) -> bool:
    """Whether auto mode restores this block (`tokens` of `text`) in OCR mode."""
    return looks_like_ocr(tokens, restorer._ocr_candidates()) or (
        may_be_vietnamese_engine(tokens) and _vietnamese_engine(restorer, text))


def modes_of(restorer: Restorer, texts: list[str]) -> dict[str, list[int]]:
    """Mode -> the indices of the texts to restore in it, in order: in auto mode each
    text's mode is decided from that text alone, as ``restore`` would."""
    by_mode: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_mode.setdefault(_mode_of(restorer, text), []).append(i)
    accented = by_mode.pop(_ACCENTED, [])
    engine = _read_by_vietnamese_engine(restorer, texts, accented)
    for i in accented:
        by_mode.setdefault("ocr" if i in engine else "plain", []).append(i)
    for indices in by_mode.values():
        indices.sort()
    return by_mode


def _mode_of(restorer: Restorer, text: str) -> str:
    mode = restorer.options.mode
    if mode != "auto" or len(text) > blocks.BLOCK_CHARS:  # a long text: restore decides per block
        return mode
    if _NO_OCR_SIGN.search(text) is None:
        # ASCII without digits or '&' has none of looks_like_ocr's strong signs (a
        # letter-digit/symbol mix, a word with é), so it is plain: most texts are
        # decided without tokenizing them twice (11 % of restore_many's time).
        return "plain"
    tokens = list(tokenize(text))
    if looks_like_ocr(tokens, restorer._ocr_candidates()):
        return "ocr"
    return _ACCENTED if may_be_vietnamese_engine(tokens) else "plain"


def _read_by_vietnamese_engine(restorer: Restorer, texts: list[str], indices: list[int]) -> set[int]:
    """Which of these accented texts a Vietnamese OCR engine read, each judged alone
    as ``restore`` would (``_vietnamese_engine``), the short ones in blocks of many
    (one OCR-mode decoding for them all, not one each)."""
    found = {i for i in indices if len(texts[i]) > ENGINE_SAMPLE and _vietnamese_engine(restorer, texts[i])}
    ocr = _engine_check(restorer)
    short = [i for i in indices if len(texts[i]) <= ENGINE_SAMPLE]
    for group in many.pack(texts, short, blocks.BLOCK_CHARS, None):
        block, spans = many.join([texts[i] for i in group], many.SEPARATOR)
        decision = ocr._decide(block)
        for i, mine in zip(group, many.overlapping(decision.tokens, spans)):
            if read_by_vietnamese_engine(decision.tokens, decision.chosen, restorer.model.lexicon, mine):
                found.add(i)
    return found


def _vietnamese_engine(restorer: Restorer, text: str) -> bool:
    """Whether a Vietnamese OCR engine read this accented block
    (ocr.read_by_vietnamese_engine): auto mode restores such a block in OCR mode,
    which repairs its tone and letter errors; plain mode would not.  OCR mode
    decodes the block's first ENGINE_SAMPLE characters (to a line's end) to judge:
    over accented text that costs about what plain mode's whole decoding does."""
    cut = text.find("\n", ENGINE_SAMPLE)
    decision = _engine_check(restorer)._decide(text if cut < 0 else text[:cut])
    return read_by_vietnamese_engine(decision.tokens, decision.chosen, restorer.model.lexicon)


def _engine_check(restorer: Restorer) -> Restorer:
    """OCR mode without the document memory: what judges a Vietnamese engine's
    output needs the first reading only (the memory's second pass would double it)."""
    twin = copy.copy(restorer._in_mode("ocr"))
    twin._memory = None
    return twin
