"""Sample paragraphs (20-90 words, Latin/Vietnamese script only) from the corpus, seeded,
as input for ../shared/tools/ocrbench/make_pairs.py.  Corpus text only: never eval/.

    python benchmarks/ocr_pairs/sample_corpus.py OUT.txt N SEED
"""

import lzma
import random
import re
import sys

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SHARES = {"legal-vanban": 0.5, "legal-phapdien": 0.25, "wiki": 0.25}
LATIN = re.compile(r"^[\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u2000-\u206f]*$")


def main() -> None:
    out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    lines = []
    for name, share in SHARES.items():
        pool = []
        with lzma.open(CORPUS / f"{name}.txt.xz", "rt", encoding="utf-8") as handle:
            for i, line in enumerate(handle):
                if i > 400_000:
                    break
                if 20 <= len(line.split()) <= 90 and rng.random() < 0.02:
                    pool.append(line.strip())
        rng.shuffle(pool)
        lines += pool[: int(n * share)]
    rng.shuffle(lines)
    lines = [line for line in lines if LATIN.match(line)]  # the fonts lack other scripts
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
