"""Write the table of letters inside document codes (``lexicon/code-letters.tsv``).

    python benchmarks/code_letters.py [CORPUS.txt.xz ...] [-o lexicon/code-letters.tsv]

Counts the all-caps letter parts of the corpus' code tokens (NĐ and CP of
88/2024/NĐ-CP) and keeps, per plain spelling, the form with Đ that the rule of
``vnrestore.abbrev.code_letters`` accepts.  Default input: the five corpus files of
the shipped model (../shared/corpus).  The table describes how Vietnamese document
codes are written, not one model's corpus, so every model uses the packaged table
unless its directory has its own.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
from collections import Counter
from pathlib import Path

from common import ROOT, need_shared

from vnrestore.abbrev import CODE_SHARE, MIN_ATTESTED, code_letters, code_parts
from vnrestore.tokenize import tokenize

CORPUS = ("legal-phapdien.txt.xz", "legal-vanban.txt.xz", "wiki.txt.xz", "literature-pd.txt.xz",
          "modern-small.txt.xz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "lexicon" / "code-letters.tsv")
    args = parser.parse_args()
    files = args.corpus or [need_shared("corpus", name) for name in CORPUS]
    counts: Counter = Counter()
    for path in files:
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                counts.update(code_parts(list(tokenize(line))))
    table = code_letters(counts)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(f"# letters of document codes typed without diacritics (benchmarks/code_letters.py: a form with Đ"
                  f" seen >= {MIN_ATTESTED} times in the corpus' codes, >= {CODE_SHARE:.0%} of its spelling's uses)\n")
        for path in files:
            out.write(f"# input {path.name} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}\n")
        out.write("# typed without diacritics\tin codes\tseen so\tseen typed without diacritics\n")
        for plain, (form, n, n_plain) in table.items():
            out.write(f"{plain}\t{form}\t{n}\t{n_plain}\n")
    print(f"{len(table)} spellings from {sum(counts.values()):,} letter parts of codes -> {args.out}")


if __name__ == "__main__":
    main()
