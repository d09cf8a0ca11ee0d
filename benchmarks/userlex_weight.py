"""How large a user-lexicon bonus must be for a favoured form to win where it is a candidate.

    python benchmarks/userlex_weight.py [--targets 60] [--lines 40] [--weights 0 1 2 3 4 5 6]

Targets: for each of the most frequent ambiguous keys of the development sets, the
model's second most frequent form, if it has diacritics and is at least 1 % as frequent
as the first (thuy: thúy after thủy): the kind of form a user lists because the model
prefers another one.  For each target and weight,
the first `--lines` accent-stripped dev lines holding its key are restored with only
that form favoured; a context is won when the form comes out there.  Prints, per weight,
the share of contexts won and how many targets won at least 90 % of theirs.  The default
weight (userlex.DEFAULT_WEIGHT) was chosen from this table, a global setting measured on
the whole development sets as their README allows; the table is recorded in README.md.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter

from common import dev_set, stripped, syllable_key

from vnrestore.model import Model
from vnrestore.orthography import has_accents, key
from vnrestore.pipeline import Options, Restorer
from vnrestore.tokenize import WORD, tokenize

SETS = ("legal", "vanban", "wiki", "news")


def word_keys(line: str) -> list[str]:
    return [t.text.lower() for t in tokenize(line) if t.kind == WORD]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=60)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--weights", type=float, nargs="+", default=[0, 1, 2, 3, 4, 5, 6])
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    model = Model.load(args.model)
    lexicon = model.lexicon
    # Lines of all sets interleaved, so that each target's sample mixes the registers.
    per_set = [stripped(dev_set(name)).splitlines()
               for name in SETS]
    lines = [line for group in zip(*per_set) for line in group if line.strip()]
    keys_of = [set(word_keys(line)) for line in lines]
    frequency = Counter(k for keys in keys_of for k in keys)
    targets = []
    for word_key, _ in frequency.most_common():
        forms = lexicon.candidates(word_key)
        # the second form, if it is a real alternative (at least 1 % as frequent as the
        # first: not a typo of the corpus) with diacritics (a user lexicon favours those)
        if len(forms) >= 2 and lexicon.counts[forms[1]] >= 0.01 * lexicon.counts[forms[0]] \
                and has_accents(lexicon.symbols[forms[1]]):
            targets.append(lexicon.symbols[forms[1]])
        if len(targets) == args.targets:
            break
    print(f"{len(targets)} targets, up to {args.lines} lines each: {' '.join(targets)}\n")
    samples = {}
    for form in targets:
        chosen = [line for line, keys in zip(lines, keys_of) if key(form) in keys][: args.lines]
        samples[form] = "\n".join(chosen) + "\n"
    options = Options(mode="plain")
    print("| weight | contexts won | targets winning ≥ 90 % of their contexts |")
    print("|---|---|---|")
    for weight in args.weights:
        won = total = strong = 0
        for form in targets:
            restorer = Restorer(model, options, user_lexicon={form: weight * math.log(10)})
            inputs = [t.text for t in tokenize(samples[form]) if t.kind == WORD]
            outputs = [t.text for t in tokenize(restorer.restore(samples[form])) if t.kind == WORD]
            hits = [syllable_key(o) == form for i, o in zip(inputs, outputs) if i.lower() == key(form)]
            won, total = won + sum(hits), total + len(hits)
            strong += sum(hits) >= 0.9 * len(hits)
        print(f"| {weight:g} | {100 * won / total:.1f} % ({won:,} of {total:,}) | {strong} of {len(targets)} |",
              flush=True)


if __name__ == "__main__":
    main()
