"""What the planning stage hands the decoder: for each word to restore, its candidate
LM ids (and channel scores in OCR mode); for every other word, where its output comes
from.  Candidate sources (the lexicon for accent-stripped words, the OCR channel for
OCR'd words, abbreviations) each fill a ``Plan``; ``pipeline.Restorer`` decodes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .tokenize import Token

# Where a token's output came from.
RESTORED = "restored"    # chosen among accented candidates by the decoder
KEPT = "kept"            # a word left as written (already accented, or plain and valid in accented text)
UNKNOWN = "unknown"      # a word with no Vietnamese reading (foreign word, name, abbreviation)
ABBREVIATION = "abbreviation"  # a known abbreviation: typed without its Vietnamese letter (HDND -> HĐND), or read as what it stands for (UBND)
PROTECTED = "protected"  # numbers, codes, URLs, punctuation, spacing


@dataclass
class Plan:
    """What the planning stage decided for one block, before decoding."""

    tokens: list[Token]
    lattice_of: dict[int, tuple[int, ...]]    # token index -> candidate ids
    channel_of: dict[int, tuple[float, ...]]  # token index -> channel score per candidate (ocr)
    source: dict[int, str]
    fixed: dict[int, str]                     # token index -> output (abbreviations)
    detail: dict[int, str] = field(default_factory=dict)  # token index -> where its output came from, for explain
    # token index -> prior score per candidate, added as it is, the form as written first
    # at 0 (a plain word on an accented line: -typed_cost for its accented forms; an
    # accented word: -retone_cost for its other tones; ``sources.lexicon``)
    prior_of: dict[int, tuple[float, ...]] = field(default_factory=dict)
    # OCR mode: written syllables on a line no English model read, offered in their other
    # tones only where the LM insists (``ocr.plan_ocr``); plain mode: the words of
    # ``prior_of``; the triggers leave them be, and the document memory may bring them
    # back to as written, never away, except the words of ``typed``
    as_written: set[int] = field(default_factory=set)
    # plain mode: the plain words of ``prior_of`` (typed without their marks, maybe): the
    # document memory weighs them as any restored word
    typed: set[int] = field(default_factory=set)

    def narrow(self, i: int, keep: Sequence[int]) -> None:
        """Keep only the candidates of token i at the places `keep`, each with its
        scores (``channel_of``, ``prior_of``): one score per candidate, always."""
        self.lattice_of[i] = tuple(self.lattice_of[i][j] for j in keep)
        for scores in (self.channel_of, self.prior_of):
            if i in scores:
                scores[i] = tuple(scores[i][j] for j in keep)
