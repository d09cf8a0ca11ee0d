"""Codes and compound tokens of the development sets: restored exactly, or changed.

    python benchmarks/codes.py [--sets reports news vanban wiki legal] [--show]

``accuracy.py`` counts words, and a code (12/NQ-HĐND, GD&ĐT, đồng/năm) is one token
that is no word, so it is counted here: strip the gold's diacritics, restore, and count
the gold's code tokens that need diacritics (have a letter with one) and came back
exactly, and the ones that need none but were changed.  --show lists the wrong ones.
"""

from __future__ import annotations

import argparse
from collections import Counter

from common import dev_set, stripped

from vnrestore.pipeline import Restorer
from vnrestore.tokenize import CODE, tokenize


def codes(text: str) -> list[str]:
    return [t.text for t in tokenize(text) if t.kind == CODE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["reports", "news", "vanban", "wiki", "legal"])
    parser.add_argument("--show", action="store_true", help="list the codes restored wrong")
    args = parser.parse_args()
    restorer = Restorer()
    print("| set | codes needing diacritics | restored exactly | codes needing none | changed |")
    print("|---|---|---|---|---|")
    for name in args.sets:
        gold = dev_set(name)
        pairs = list(zip(codes(gold), codes(restorer.restore(stripped(gold)))))
        need = [(g, o) for g, o in pairs if stripped(g) != g]
        changed = [(g, o) for g, o in pairs if stripped(g) == g and g != o]
        right = sum(g == o for g, o in need)
        print(f"| {name} | {len(need):,} | {right:,} ({100 * right / max(len(need), 1):.1f} %) "
              f"| {len(pairs) - len(need):,} | {len(changed):,} |", flush=True)
        if args.show:
            for (g, o), n in Counter(p for p in need + changed if p[0] != p[1]).most_common():
                print(f"    {g} -> {o} ({n})")


if __name__ == "__main__":
    main()
