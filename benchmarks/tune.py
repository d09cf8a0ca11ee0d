"""Choose Options.name_weight on the whole development sets (the one tuned setting).

    python benchmarks/tune.py [--weights 0 0.25 0.5 1 2]

Prints syllable accuracy per set and the mean for each weight.  Only a global weight
is tuned here, on whole sets, as the dev sets' README allows; the choice and this table
are recorded in README.md.
"""

from __future__ import annotations

import argparse

from common import compare, need_shared, stripped

from vnrestore.model import Model
from vnrestore.pipeline import Options, Restorer

SETS = ("legal", "vanban", "wiki", "news")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.25, 0.5, 1.0, 2.0])
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    model = Model.load(args.model)
    golds = {name: need_shared("eval", "dev", f"{name}.txt").read_text(encoding="utf-8") for name in SETS}
    plains = {name: stripped(text) for name, text in golds.items()}
    print("| name_weight | " + " | ".join(SETS) + " | mean |")
    print("|---" * (len(SETS) + 2) + "|")
    for weight in args.weights:
        restorer = Restorer(model, Options(name_weight=weight))
        scores = []
        for name in SETS:
            ok, total = compare(golds[name], restorer.restore(plains[name]))
            scores.append(100 * ok / total)
        cells = " | ".join(f"{s:.2f} %" for s in scores)
        print(f"| {weight:g} | {cells} | {sum(scores) / len(scores):.2f} % |", flush=True)


if __name__ == "__main__":
    main()
