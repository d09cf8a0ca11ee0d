"""Text only partly typed without diacritics: words or clauses stripped among accented ones.

    python benchmarks/partial.py [--sets legal vanban wiki news reports] [--model DIR]
                                 [--words 0.2] [--clauses 0.3] [--seed 7] [--typed-cost none 5]

Real documents mix: a fast typist drops a mark here and there, a clause is pasted from
an unaccented source, an OCR engine that knows Vietnamese loses a few marks.  For each
../shared/eval/dev/<set>.txt (each document on its own, as ``accuracy.py``), two inputs
are made with a fixed seed: "words", every word stripped of its diacritics with
probability `--words`; "clauses", every stretch between punctuation marks or line
breaks stripped with probability `--clauses`.  For each: the share of the stripped
syllables (those that lost a mark) restored exactly, and the share of the untouched
syllables the restorer altered; then, as in ``accuracy.py``, the share of the gold's
syllables altered when the gold itself is fed in.  Rows, all in the same run: the
baseline of ``accuracy.py`` (every plain word its most frequent accented form), and
vnrestore with each ``Options.typed_cost`` asked for (default: none, the rule before,
where a plain syllable on an accented line was always kept; and the shipped value).
"""

from __future__ import annotations

import argparse
import random
import re

from accuracy import most_frequent_form
from common import dev_set, documents, number_or_none, option_rows, set_arguments, syllable_key, words

import vnrestore
from vnrestore.orthography import is_valid_syllable, strip_accents
from vnrestore.pipeline import Restorer
from vnrestore.tokenize import WORD, tokenize

_CLAUSE_END = re.compile(r"([,.;:!?()\n]+)")


def strip_words(text: str, rng: random.Random, share: float) -> str:
    return "".join(strip_accents(t.text) if t.kind == WORD and rng.random() < share else t.text
                   for t in tokenize(text))


def strip_clauses(text: str, rng: random.Random, share: float) -> str:
    parts = _CLAUSE_END.split(text)  # clauses at even places, the marks between them at odd ones
    return "".join(strip_accents(p) if k % 2 == 0 and rng.random() < share else p for k, p in enumerate(parts))


def score(gold: str, typed: str, output: str) -> tuple[int, int, int, int]:
    """(stripped syllables restored, stripped syllables, untouched ones altered, untouched ones)."""
    restored = stripped = altered = untouched = 0
    for g, t, o in zip(words(gold), words(typed), words(output), strict=True):
        if not is_valid_syllable(g.lower()):
            continue
        if t != g:
            stripped += 1
            restored += syllable_key(g) == syllable_key(o)
        else:
            untouched += 1
            altered += o != g
    return restored, stripped, altered, untouched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_arguments(parser)
    parser.add_argument("--words", type=float, default=0.2, help="share of words stripped")
    parser.add_argument("--clauses", type=float, default=0.3, help="share of clauses stripped")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--typed-cost", type=number_or_none, nargs="+", default=None,
                        help="Options.typed_cost values to compare ('none': off; default: none and the shipped one)")
    args = parser.parse_args()
    shipped = Restorer(args.model)
    rows = [("baseline (most frequent form)", lambda t: most_frequent_form(shipped, t))]
    rows += option_rows(shipped, "typed_cost", args.typed_cost, "kept as typed")
    print(f"vnrestore {vnrestore.__version__}; words stripped with p {args.words}, clauses with p "
          f"{args.clauses}, seed {args.seed}")
    print("| set | restorer | words: stripped restored | words: untouched altered | clauses: stripped restored "
          "| clauses: untouched altered | correct text altered |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        gold = dev_set(name)
        docs = documents(name, gold)
        for label, restore in rows:
            cells = []
            for damage, share in ((strip_words, args.words), (strip_clauses, args.clauses)):
                rng = random.Random(args.seed)
                typed = [damage(doc, rng, share) for doc in docs]
                ok, n, altered, untouched = score(gold, "".join(typed), "".join(restore(t) for t in typed))
                cells += [f"{100 * ok / n:.2f} % of {n:,}", f"{100 * altered / untouched:.3f} %"]
            again = "".join(restore(doc) for doc in docs)
            _, _, altered, untouched = score(gold, gold, again)
            cells.append(f"{100 * altered / untouched:.3f} %")
            print(f"| {name} | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
