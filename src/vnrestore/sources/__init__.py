"""Candidate sources: where the readings of a word come from in plain mode.

Every source has one job and the same shape: ``propose(tokens, plan)`` fills the
``Plan`` for the word tokens it claims (candidate LM ids, a fixed output, or where the
word's output comes from) and leaves the others alone, so sources run in order and the
first to claim a word wins:

* ``codes``: inside codes, letters of abbreviations typed without their Vietnamese
  letter (12/NQ-HDND -> 12/NQ-HĐND) and words joined by a slash (dong/nam), which it
  cuts into tokens of their own (it runs first);
* ``abbreviations``: abbreviations typed without their Vietnamese letter (HDND -> HĐND);
* ``retone``: accented words a slip may have given the wrong tone (trách nhiễm ->
  nhiệm), offered their other accented forms at a cost;
* ``lexicon``: accent-stripped words -> their accented forms (and the user lexicon's
  extras), with the rule that keeps plain words of accented lines as written.

OCR mode plans with ``ocr.plan_ocr`` (the OCR channel) instead.  Once planned, the
lattice stage (``vnrestore.lattice``) turns each segment into LM symbols, where
``names`` reads capitalized words inside a sentence as name symbols.
"""

from __future__ import annotations

from typing import Protocol

from ..plan import Plan
from ..tokenize import Token


class CandidateSource(Protocol):
    def propose(self, tokens: list[Token], plan: Plan) -> None:
        """Fill `plan` for the word tokens this source claims (not yet in plan.source)."""


def plan_with(tokens: list[Token], sources: list[CandidateSource]) -> Plan:
    """The plan of `tokens`, each source in turn claiming the words it reads."""
    plan = Plan(tokens, {}, {}, {}, {})
    for source in sources:
        source.propose(plan.tokens, plan)  # a source may cut tokens (codes): the others see the cut ones
    return plan
