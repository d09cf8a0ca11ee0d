"""Accented text with a wrong tone or mark here and there (xả hội, quyêt định).

    python benchmarks/tones.py [--sets legal vanban wiki news reports] [--model DIR]
                               [--share 0.005] [--seed 7] [--retone-cost none 16]

A typist's slip and an OCR engine that knows Vietnamese both leave accented words with
the wrong marks.  For each ../shared/eval/dev/<set>.txt (each document on its own, as
``accuracy.py``), every accented syllable is, with probability `--share` and a fixed
seed, replaced by another accented form of its key that the model knows (uniformly:
the tone, the vowel's mark or both wrong), keeping its case.  Columns: the share of the
damaged syllables restored exactly, the share of the untouched syllables altered, and,
as in ``accuracy.py``, the share of the gold's syllables altered when the gold itself is
fed in.  A document whose output has more or fewer words than its input (auto mode read
it as OCR and split or joined a word) is not counted; the column says how many.  Rows,
all in the same run: a baseline that gives every accented word the most frequent
accented form of its key, and vnrestore with each ``Options.retone_cost`` asked for
(default: none, where accented words are always kept, and the shipped value).
"""

from __future__ import annotations

import argparse
import random
import time

from common import dev_set, documents, number_or_none, option_rows, set_arguments, words
from partial import score

import vnrestore
from vnrestore.casing import apply_case
from vnrestore.orthography import has_accents, key
from vnrestore.pipeline import Restorer
from vnrestore.segment import UNK, symbol
from vnrestore.tokenize import WORD, render, tokenize


def accented_forms(restorer: Restorer, word: str) -> list[str]:
    """The accented forms the model knows of a word's key, most frequent first."""
    lexicon = restorer.model.lexicon
    return [lexicon.symbols[c] for c in lexicon.candidates(key(word)) if has_accents(lexicon.symbols[c])]


def mistype(restorer: Restorer, text: str, rng: random.Random, share: float) -> str:
    """`text` with about `share` of its accented syllables given another accented form."""
    tokens = list(tokenize(text))
    out = {}
    for i, tok in enumerate(tokens):
        form = symbol(tok) if tok.kind == WORD else UNK  # <unk> for a word that is no syllable
        if form == UNK or not has_accents(tok.text):
            continue
        if rng.random() < share:
            others = [f for f in accented_forms(restorer, tok.text) if f != form]
            if others:
                out[i] = apply_case(tok.text, rng.choice(others))
    return render(tokens, out)


def most_frequent_accented(restorer: Restorer, text: str) -> str:
    tokens = list(tokenize(text))
    out = {}
    for i, tok in enumerate(tokens):
        form = symbol(tok) if tok.kind == WORD else UNK
        if form != UNK and has_accents(tok.text):
            forms = accented_forms(restorer, tok.text)
            if forms and forms[0] != form:
                out[i] = apply_case(tok.text, forms[0])
    return render(tokens, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    set_arguments(parser)
    parser.add_argument("--share", type=float, default=0.005, help="share of accented syllables mistyped")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--retone-cost", type=number_or_none, nargs="+", default=None,
                        help="Options.retone_cost values to compare ('none': off; default: none and the shipped one)")
    args = parser.parse_args()
    shipped = Restorer(args.model)
    rows = [("baseline (most frequent accented form)", lambda t: most_frequent_accented(shipped, t))]
    rows += option_rows(shipped, "retone_cost", args.retone_cost, "kept as written")
    print(f"vnrestore {vnrestore.__version__}; accented syllables mistyped with p {args.share}, seed {args.seed}")
    print("| set | restorer | mistyped restored | untouched altered | correct text altered "
          "| documents not counted | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        gold = dev_set(name)
        docs = documents(name, gold)
        rng = random.Random(args.seed)
        typed = [mistype(shipped, doc, rng, args.share) for doc in docs]
        for label, restore in rows:
            start = time.perf_counter()
            ok = n = altered = untouched = skipped = 0
            for doc, mistyped in zip(docs, typed):
                out = restore(mistyped)
                if len(words(out)) != len(words(mistyped)):
                    skipped += 1  # OCR mode (auto) split or joined a word: no word-by-word count
                    continue
                counts = score(doc, mistyped, out)
                ok, n, altered, untouched = (a + b for a, b in zip((ok, n, altered, untouched), counts))
            again = "".join(restore(doc) for doc in docs)
            seconds = time.perf_counter() - start
            _, _, changed, total = score(gold, gold, again)
            print(f"| {name} | {label} | {100 * ok / n:.2f} % of {n:,} | {100 * altered / untouched:.3f} % "
                  f"| {100 * changed / total:.3f} % | {skipped} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
