"""Choose the document memory's settings on the whole development sets: its weight, its
radius (tokens either side whose votes count) and the posterior a vote needs.

    python benchmarks/tune_memory.py [--weights 1 2 3] [--radii 400 800 1600] [--confident 0.6]

Every document is restored on its own (``common.documents``), as accuracy.py does.
Prints syllable accuracy per set and the mean for each setting; the choice and this
table are recorded in README.md (global settings on whole sets, as the dev sets'
README allows).
"""

from __future__ import annotations

import argparse
import itertools

from common import compare, dev_set, documents, stripped

from vnrestore.model import Model
from vnrestore.pipeline import Restorer

SETS = ("legal", "vanban", "wiki", "news", "reports")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[1.0, 2.0, 3.0])
    parser.add_argument("--radii", type=int, nargs="+", default=[400, 800, 1600])
    parser.add_argument("--confident", type=float, nargs="+", default=[0.6])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    args = parser.parse_args()
    model = Model.load()
    golds = {name: dev_set(name) for name in args.sets}
    docs = {name: documents(name, gold) for name, gold in golds.items()}
    print("| weight | radius | confident | " + " | ".join(args.sets) + " | mean |")
    print("|---" * (len(args.sets) + 4) + "|")
    for weight, radius, confident in itertools.product(args.weights, args.radii, args.confident):
        restorer = Restorer(model, memory_weight=weight)
        if restorer._memory is not None:
            restorer._memory.radius, restorer._memory.confident = radius, confident
        scores = []
        for name in args.sets:
            output = "".join(restorer.restore(stripped(doc)) for doc in docs[name])
            ok, total = compare(golds[name], output)
            scores.append(100 * ok / total)
        print(f"| {weight:g} | {radius} | {confident:g} | " + " | ".join(f"{s:.2f}" for s in scores)
              + f" | {sum(scores) / len(scores):.3f} |", flush=True)


if __name__ == "__main__":
    main()
