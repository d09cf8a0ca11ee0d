"""Syllable accuracy on the development sets, beside a most-frequent-form baseline.

    python benchmarks/accuracy.py [--sets legal vanban wiki news]

For each ../shared/eval/dev/<set>.txt: strip the diacritics of the gold, restore, and
count the gold's Vietnamese syllables restored exactly (tone placement ignored).  The
baseline replaces every plain word by its most frequent accented form in the same model.
"Unchanged" feeds the gold itself in and counts syllables the restorer altered.
"""

from __future__ import annotations

import argparse
import time

from common import compare, need_shared, stripped

import vnrestore
from vnrestore.pipeline import Restorer
from vnrestore.tokenize import WORD, render, tokenize


def most_frequent_form(restorer: Restorer, text: str) -> str:
    lexicon = restorer.model.lexicon
    tokens = list(tokenize(text))
    replacements = {}
    for i, tok in enumerate(tokens):
        if tok.kind == WORD and tok.text.isascii():
            cands = lexicon.candidates(tok.text.lower())
            if cands:
                replacements[i] = restorer._form(tok, cands[0])
    return render(tokens, replacements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["legal", "vanban", "wiki", "news"])
    parser.add_argument("--model", default=None, help="model directory (default: packaged)")
    parser.add_argument("--beam", type=int, default=None)
    args = parser.parse_args()
    kw = {"beam": args.beam} if args.beam else {}
    restorer = Restorer(args.model, **kw)
    print(f"vnrestore {vnrestore.__version__}, model order {restorer.model.meta['order']}, "
          f"beam {restorer.options.beam}")
    print("| set | syllables | baseline (most frequent form) | vnrestore | correct text altered | seconds |")
    print("|---|---|---|---|---|---|")
    for name in args.sets:
        gold = need_shared("eval", "dev", f"{name}.txt").read_text(encoding="utf-8")
        plain = stripped(gold)
        base_ok, total = compare(gold, most_frequent_form(restorer, plain))
        t0 = time.perf_counter()
        ok, _ = compare(gold, restorer.restore(plain))
        seconds = time.perf_counter() - t0
        kept, _ = compare(gold, restorer.restore(gold))
        print(f"| {name} | {total:,} | {100 * base_ok / total:.2f} % | {100 * ok / total:.2f} % "
              f"| {100 * (total - kept) / total:.3f} % | {seconds:.1f} |")


if __name__ == "__main__":
    main()
