"""Which errors the corpus could have prevented: errors by the corpus' evidence for the gold.

    python benchmarks/coverage.py [--sets legal vanban wiki news reports] [--model DIR]

Restores each accent-stripped development set as ``accuracy.py`` does (every document
on its own) and sorts the gold's Vietnamese syllables by what the model's corpus saw of
them: the word itself, and the two bigrams it makes with its neighbours (the words
beside it in the gold, punctuation skipped; a neighbour that is no syllable, an
abbreviation or a number, says nothing either way).  A bigram counts as seen if the
model holds it with either word in lower case or capitalized (``^form``): the shipped
model keeps every bigram of its corpus, so "unseen" means the corpus never wrote the
pair.  Per class: syllables, errors of the most-frequent-form baseline and of
vnrestore, vnrestore's error rate and its share of vnrestore's errors.

The last column's "ceiling" is the accuracy vnrestore would have if every error whose
gold the corpus fully attests (the word and both bigrams seen) were fixed and every
other error left: what a better decoder could reach on this corpus's evidence alone.
"""

from __future__ import annotations

import argparse

from accuracy import most_frequent_form
from common import dev_set, documents, set_arguments, stripped, syllable_key, words

from vnrestore.orthography import is_valid_syllable
from vnrestore.pipeline import Restorer
from vnrestore.segment import CAPITALIZED_MARK

CLASSES = ("word and both bigrams seen", "a bigram unseen", "both bigrams unseen", "the word unseen")


class Evidence:
    """What the model's bigram table and vocabulary hold of gold words."""

    def __init__(self, restorer: Restorer):
        self.lexicon = restorer.model.lexicon
        self.lm = restorer.model.lm
        self.counts = self.lexicon.counts

    def ids(self, word: str) -> list[int]:
        """The LM ids of a syllable in lower case and capitalized (those it has)."""
        low = word.lower()
        found = (self.lexicon.id(low), self.lexicon.id(CAPITALIZED_MARK + low))
        return [i for i in found if i is not None and self.counts[i] > 0]

    def seen(self, left: list[int], right: list[int]) -> bool:
        pairs = [(a, b) for a in left for b in right]
        return bool(self.lm.has_bigrams([a for a, _ in pairs], [b for _, b in pairs]).any())

    def classify(self, gold: list[str]) -> list[int | None]:
        """Per gold word: its class (index into CLASSES), None for a word that is no syllable."""
        ids = [self.ids(w) if is_valid_syllable(w.lower()) else None for w in gold]
        out: list[int | None] = []
        for i, mine in enumerate(ids):
            if mine is None:
                out.append(None)
                continue
            if not mine:
                out.append(3)
                continue
            sides = [self.seen(ids[j], mine) if j < i else self.seen(mine, ids[j])
                     for j in (i - 1, i + 1) if 0 <= j < len(ids) and ids[j]]
            unseen = sides.count(False)
            out.append(0 if unseen == 0 else 1 if unseen == 1 else 2)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_arguments(parser)
    args = parser.parse_args()
    restorer = Restorer(args.model)
    evidence = Evidence(restorer)
    print("| set | the gold syllable | syllables | baseline errors | vnrestore errors | vnrestore error rate "
          "| share of vnrestore's errors |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        gold_text = dev_set(name)
        gold = words(gold_text)
        baseline = words(most_frequent_form(restorer, stripped(gold_text)))
        ours = words("".join(restorer.restore(stripped(d)) for d in documents(name, gold_text)))
        if not len(gold) == len(baseline) == len(ours):
            raise SystemExit(f"{name}: outputs do not align with the gold word by word")
        n, base_err, err = ([0] * len(CLASSES) for _ in range(3))
        for g, b, o, c in zip(gold, baseline, ours, evidence.classify(gold)):
            if c is None:
                continue
            n[c] += 1
            base_err[c] += syllable_key(g) != syllable_key(b)
            err[c] += syllable_key(g) != syllable_key(o)
        total, errors = sum(n), sum(err)
        for c, label in enumerate(CLASSES):
            rate = f"{100 * err[c] / n[c]:.2f} %" if n[c] else "-"
            share = f"{100 * err[c] / errors:.1f} %" if errors else "-"
            print(f"| {name} | {label} | {n[c]:,} | {base_err[c]:,} | {err[c]:,} | {rate} | {share} |")
        print(f"| {name} | all: accuracy {100 * (total - errors) / total:.2f} %, ceiling "
              f"{100 * (total - errors + err[0]) / total:.2f} % | {total:,} | {sum(base_err):,} | {errors:,} | "
              f"{100 * errors / total:.2f} % | |")


if __name__ == "__main__":
    main()
