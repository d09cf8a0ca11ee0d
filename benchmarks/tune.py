"""Choose a global option on the whole development sets: name_weight, caps_name_cost,
name_list_weight, common_reading_cost.

    python benchmarks/tune.py [--option name_weight] [--weights 0 0.25 0.5 1 2] [--sets ...]

Prints syllable accuracy per set and the mean for each weight.  Only a global weight
is tuned here, on whole sets, as the dev sets' README allows; the choice and this table
are recorded in README.md.
"""

from __future__ import annotations

import argparse

from common import compare, dev_set, number_or_none, stripped

from vnrestore.model import Model
from vnrestore.pipeline import Options, Restorer

SETS = ("legal", "vanban", "wiki", "news")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--option", default="name_weight", choices=("name_weight", "caps_name_cost", "name_list_weight",
                                                                     "common_reading_cost"))
    parser.add_argument("--weights", type=number_or_none, nargs="+", default=[0.0, 0.25, 0.5, 1.0, 2.0],
                        help="values to try ('none': caps_name_cost or common_reading_cost off)")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    model = Model.load(args.model)
    sets = args.sets
    golds = {name: dev_set(name) for name in sets}
    plains = {name: stripped(text) for name, text in golds.items()}
    print(f"| {args.option} | " + " | ".join(sets) + " | mean |")
    print("|---" * (len(sets) + 2) + "|")
    for weight in args.weights:
        restorer = Restorer(model, Options(**{args.option: weight}))
        scores = []
        for name in sets:
            ok, total = compare(golds[name], restorer.restore(plains[name]))
            scores.append(100 * ok / total)
        cells = " | ".join(f"{s:.2f} %" for s in scores)
        print(f"| {weight} | {cells} | {sum(scores) / len(scores):.2f} % |", flush=True)


if __name__ == "__main__":
    main()
