"""Abbreviations typed without their Vietnamese letter (HDND -> HĐND): no language
model can tell HDND from HĐND, so a table from the model directory decides."""

from __future__ import annotations

from typing import Mapping

from ..plan import ABBREVIATION, Plan
from ..tokenize import WORD, Token


class AbbreviationSource:
    def __init__(self, abbreviations: Mapping[str, str]):
        self.abbreviations = abbreviations  # typed without diacritics -> abbreviation

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        table = self.abbreviations
        if not table:
            return
        for i, tok in enumerate(tokens):
            if tok.kind == WORD and i not in plan.source and tok.text in table:
                plan.fixed[i], plan.source[i] = table[tok.text], ABBREVIATION
