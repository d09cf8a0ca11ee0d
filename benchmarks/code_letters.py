"""Write the tables of codes: letters inside document codes (``lexicon/code-letters.tsv``)
and words after a slash (``lexicon/code-words.tsv``).

    python benchmarks/code_letters.py [CORPUS.txt.xz ...] [-o lexicon/code-letters.tsv]

Counts the all-caps letter parts of the corpus' code tokens (NĐ and CP of
88/2024/NĐ-CP) and keeps, per plain spelling, the form with Đ that the rule of
``vnrestore.abbrev.code_letters`` accepts; and counts the lower-case words right after
a slash in them (năm of đồng/năm), those seen at least twice.  Default input: the five corpus files of
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

from vnrestore.abbrev import CODE_SHARE, MIN_ATTESTED, code_letters, code_parts, words_after_slash
from vnrestore.orthography import strip_accents
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
    after: Counter = Counter()
    for path in files:
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                tokens = list(tokenize(line))
                counts.update(code_parts(tokens))
                after.update(words_after_slash(tokens))
    table = code_letters(counts)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(f"# letters of document codes typed without diacritics (benchmarks/code_letters.py: a form with Đ"
                  f" seen >= {MIN_ATTESTED} times in the corpus' codes, >= {CODE_SHARE:.0%} of its spelling's uses)\n")
        for path in files:
            out.write(f"# input {path.name} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}\n")
        out.write("# typed without diacritics\tin codes\tseen so\tseen typed without diacritics\n")
        for plain, (form, n, n_plain) in table.items():
            out.write(f"{plain}\t{form}\t{n}\t{n_plain}\n")
    words = args.out.with_name("code-words.tsv")
    with open(words, "w", encoding="utf-8") as out:
        out.write("# lower-case words right after a slash in the corpus' codes (benchmarks/code_letters.py),"
                  " seen at least twice; inputs as in code-letters.tsv\n# key\tword\tseen so\n")
        for word, n in sorted(after.items(), key=lambda e: (strip_accents(e[0]), -e[1], e[0])):
            if n >= 2:
                out.write(f"{strip_accents(word)}\t{word}\t{n}\n")
    print(f"{len(table)} spellings from {sum(counts.values()):,} letter parts of codes -> {args.out}")


if __name__ == "__main__":
    main()
