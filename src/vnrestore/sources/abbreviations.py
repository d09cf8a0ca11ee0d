"""Abbreviations: typed without their Vietnamese letter (HDND -> HĐND: no language
model can tell HDND from HĐND, so a table from the model directory decides), and read
by the LM as what they stand for (UBND as "ủy ban nhân dân": the corpus mostly spells
it out, so that is where its context is).  Both tables are written by the build
(``vnrestore.abbrev``); a model without them reads every abbreviation as <unk>."""

from __future__ import annotations

from typing import Mapping

from ..candidates import Lexicon
from ..plan import ABBREVIATION, Plan
from ..tokenize import WORD, Token


class AbbreviationSource:
    def __init__(self, abbreviations: Mapping[str, str], lexicon: Lexicon | None = None,
                 expansions: Mapping[str, tuple[tuple[str, ...], str]] | None = None,
                 origin: Mapping[str, str] | None = None):
        self.abbreviations = abbreviations  # typed without diacritics -> abbreviation
        self.origin = origin or {}
        self.expansions = expansions or {}
        # The LM ids of each expansion whose every symbol the model knows.
        self._ids: dict[str, tuple[int, ...]] = {}
        if lexicon is not None:
            for abbr, (symbols, _) in self.expansions.items():
                ids = tuple(lexicon.id(s) for s in symbols)
                if ids and None not in ids:
                    self._ids[abbr] = ids

    def expansion(self, form: str) -> tuple[int, ...] | None:
        """The LM ids an abbreviation is read as (None: not an abbreviation known so)."""
        return self._ids.get(form)

    def detail(self, text: str, output: str) -> str:
        """Where the output of an abbreviation and its reading came from, for ``explain``."""
        notes = []
        if text in self.abbreviations and output == self.abbreviations[text]:
            origin = self.origin.get(text, "list")
            notes.append(f"{output}: written so in the {'corpus' if origin == 'corpus' else 'abbreviation list'}")
        if output in self._ids:
            symbols, origin = self.expansions[output]
            where = "spelled out so in the corpus" if origin == "corpus" else "the abbreviation list's reading"
            notes.append(f"read as '{' '.join(symbols)}' ({where})")
        return "; ".join(notes)

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        table = self.abbreviations
        if not table:
            return
        for i, tok in enumerate(tokens):
            if tok.kind == WORD and i not in plan.source and tok.text in table:
                plan.fixed[i], plan.source[i] = table[tok.text], ABBREVIATION
