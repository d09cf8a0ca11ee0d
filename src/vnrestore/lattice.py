"""From a plan to what the decoder reads: segments, their candidate lattices (LM ids)
and per-candidate prior scores.

A word being restored offers its candidates; every other content token is one fixed LM
symbol (``segment.symbol``; <unk> if the model does not know it).  Prior scores add the
OCR channel (scaled by `channel_weight`), the plan's own priors (``Plan.prior_of``), the
user lexicon's bonus and, through
``NameSource``, the odds of a name.  ``positions`` maps each lattice position back to its
token, so later stages never assume one position per token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .candidates import Lexicon
from .plan import Plan
from .segment import UNK, segments, symbol
from .sources.abbreviations import AbbreviationSource
from .sources.names import NameSource


@dataclass
class Lattices:
    positions: list[list[int]]             # token index of each position of each segment
    lattices: list[list[tuple[int, ...]]]  # candidate ids per position of each segment
    costs: list[list[list[float] | None]]  # prior scores per candidate (None: none)


def build_lattices(plan: Plan, lexicon: Lexicon, unk: int, names: NameSource,
                   bonus: Mapping[int, float], channel_weight: float,
                   abbreviations: AbbreviationSource | None = None) -> Lattices:
    """A known abbreviation fills one fixed position per symbol of what it stands for; a
    word that is no syllable is its own LM symbol if the model has one, else <unk>."""
    tokens, lattice_of, channel_of = plan.tokens, plan.lattice_of, plan.channel_of
    segs = segments(tokens, bullets=True)
    positions, lattices, costs = [], [], []
    for seg in segs:
        position, lattice, cost = [], [], []
        for k, i in enumerate(seg):
            cands = lattice_of.get(i)
            extra = None
            if cands is None:
                sym = symbol(tokens[i])
                if sym == UNK:  # a word that is no syllable: as written, or as fixed (HĐND)
                    form = plan.fixed.get(i, tokens[i].text)
                    expansion = abbreviations.expansion(form) if abbreviations else None
                    if expansion:
                        position += [i] * len(expansion)
                        lattice += [(w,) for w in expansion]
                        cost += [None] * len(expansion)
                        continue
                    sym = form
                sym_id = lexicon.id(sym)
                for variant in (sym.lower(), sym.capitalize()):  # COMPUTER in a heading: computer
                    if sym_id is not None or sym == UNK:
                        break
                    sym_id = lexicon.id(variant)
                cands = (unk if sym_id is None else sym_id,)
            elif len(cands) > 1:
                channel = channel_of.get(i)
                if channel is not None:
                    extra = [channel_weight * c for c in channel]
                prior = plan.prior_of.get(i)
                if prior is not None:
                    extra = [(extra[j] if extra else 0.0) + p for j, p in enumerate(prior)]
                if bonus and any(c in bonus for c in cands):
                    extra = [(extra[j] if extra else 0.0) + bonus.get(c, 0.0) for j, c in enumerate(cands)]
            cands, extra = names.read(tokens, seg, k, cands, extra)
            position.append(i)
            lattice.append(cands)
            cost.append(extra)
        positions.append(position)
        lattices.append(lattice)
        costs.append(cost)
    return Lattices(positions, lattices, costs)
