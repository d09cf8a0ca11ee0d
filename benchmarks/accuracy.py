"""Syllable accuracy on the development sets, beside a most-frequent-form baseline.

    python benchmarks/accuracy.py [--sets legal vanban wiki news reports] [--model DIR] [--whole]

For each ../shared/eval/dev/<set>.txt: strip the diacritics of the gold, restore, and
count the gold's Vietnamese syllables restored exactly (tone placement ignored).  The
"all words" columns count every alphabetic word of the gold instead, abbreviations
(HĐND typed HDND) and case included, tone placement still ignored: the held-out sets
are scored on whitespace tokens, so this is the more honest figure for documents full
of abbreviations (reports).  The baseline replaces every plain word by its most
frequent accented form in the same model.  "Correct text altered" feeds the gold
itself in and counts syllables the restorer altered (and, in the last column, words).  Each document is restored on its
own (``common.documents``), as a user restores a file, so the document memory never
reads another document; ``--whole`` restores each set as one text instead.
"""

from __future__ import annotations

import argparse
import time

from common import compare, compare_words, dev_set, documents, set_arguments, stripped

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
    set_arguments(parser)
    parser.add_argument("--beam", type=int, default=None)
    parser.add_argument("--memory-weight", type=float, default=None, help="Options.memory_weight (0: off)")
    parser.add_argument("--trigger-weight", type=float, default=None, help="Options.trigger_weight (0: off)")
    parser.add_argument("--whole", action="store_true", help="restore each set as one text, not by document")
    args = parser.parse_args()
    kw = {"beam": args.beam} if args.beam else {}
    if args.memory_weight is not None:
        kw["memory_weight"] = args.memory_weight
    if args.trigger_weight is not None:
        kw["trigger_weight"] = args.trigger_weight
    restorer = Restorer(args.model, **kw)
    print(f"vnrestore {vnrestore.__version__}, model order {restorer.model.meta['order']}, "
          f"beam {restorer.options.beam}")
    print("| set | syllables | baseline (most frequent form) | vnrestore | all words | baseline, all words "
          "| vnrestore, all words | correct text altered | correct text altered, all words | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.sets:
        gold = dev_set(name)
        plain = stripped(gold)
        docs = [gold] if args.whole else documents(name, gold)
        baseline = most_frequent_form(restorer, plain)
        base_ok, total = compare(gold, baseline)
        base_words, all_words = compare_words(gold, baseline)
        t0 = time.perf_counter()
        restored = "".join(restorer.restore(stripped(doc)) for doc in docs)
        seconds = time.perf_counter() - t0
        ok, _ = compare(gold, restored)
        ok_words, _ = compare_words(gold, restored)
        again = "".join(restorer.restore(doc) for doc in docs)
        kept, _ = compare(gold, again)
        kept_words, _ = compare_words(gold, again)
        print(f"| {name} | {total:,} | {100 * base_ok / total:.2f} % | {100 * ok / total:.2f} % "
              f"| {all_words:,} | {100 * base_words / all_words:.2f} % | {100 * ok_words / all_words:.2f} % "
              f"| {100 * (total - kept) / total:.3f} % | {100 * (all_words - kept_words) / all_words:.3f} % "
              f"| {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
