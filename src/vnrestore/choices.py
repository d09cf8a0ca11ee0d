"""What decoding one block decided, and how ``explain`` reports it.

``Decision`` is what the decoder hands the last stage: every token, the chosen word
id of each restored word, the fixed output of the others, and where each came from.
Rendering writes the outputs back into the text (``pipeline.Restorer``); ``explain``
turns the same decision into one ``TokenChoice`` per token, plain data that says what
happened to it, with the decoder's alternatives and their probabilities
(``posterior``) for restored words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping

from .lattice import Lattices
from .plan import ABBREVIATION, PROTECTED, RESTORED, UNKNOWN
from .tokenize import Token


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
class Decision:
    """Everything decoding one block produced, for rendering and explaining."""

    tokens: list[Token]
    lattices: Lattices                # positions, candidates and prior scores per segment
    paths: list[list[int]]            # chosen candidate index per position
    chosen: dict[int, int]            # token index -> chosen word id, for restored words
    source: dict[int, str]            # token index -> RESTORED/KEPT/UNKNOWN/ABBREVIATION for words
    fixed: dict[int, str]             # token index -> output decided without the decoder
    detail: dict[int, str]            # token index -> where its output came from (codes), for explain


def explain(decision: Decision, alternatives: Mapping[int, list[tuple[int, float]]], offset: int,
            form: Callable[[Token, int], str], as_read: Collection[int],
            abbreviation_detail: Callable[[str, str], str]) -> list[TokenChoice]:
    """One choice per token of the block, spans counted from `offset`.
    `alternatives`: token index -> (word id, probability), best first, for restored
    words; `form(token, word id)`: a word id written as the token's output; `as_read`:
    the ids that keep a word as read (OCR mode's <unk>, <num>); `abbreviation_detail`:
    where an abbreviation's output and reading came from."""
    chosen, source = decision.chosen, decision.source
    result = []
    for i, tok in enumerate(decision.tokens):
        start, end = offset + tok.start, offset + tok.end
        if i in chosen:
            alts = alternatives.get(i, [(chosen[i], 1.0)])
            forms = tuple((tok.text if w in as_read else form(tok, w), p) for w, p in alts)
            conf = dict(alts).get(chosen[i], 1.0)
            result.append(TokenChoice(start, end, tok.kind, tok.text, form(tok, chosen[i]), RESTORED, conf, forms,
                                      decision.detail.get(i, "")))
        else:
            output = decision.fixed.get(i, tok.text)
            label = source.get(i, PROTECTED)
            detail = decision.detail.get(i) or (abbreviation_detail(tok.text, output) if label != PROTECTED else "")
            if detail and label == UNKNOWN:
                label = ABBREVIATION  # not unknown: read as what it stands for
            result.append(TokenChoice(start, end, tok.kind, tok.text, output, label, detail=detail))
    return result
