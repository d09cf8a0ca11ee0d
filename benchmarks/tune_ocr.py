"""Choose OCR mode's two weights on OCR pairs made from CORPUS text (a recorded, global
tuning; never on the eval pairs, which only measure).

    python benchmarks/tune_ocr.py --channel-weights 0.8 1 1.2 --keep-scores -9 -12 -15 \
        --limit 420 ../shared/ocr/train-*.jsonl.xz /work/ocrdata/train-*.jsonl

Prints CER / WER / syllable accuracy (%) for each pair of Options.channel_weight and
Options.keep_score, per pair file and averaged over the files (each setting counts
once, however many lines it has); the choice is recorded in README.md.
"""

from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

from ocr import scores

from vnrestore.model import Model
from vnrestore.pipeline import Options, Restorer


def read_pairs(path: Path, limit: int | None) -> list[dict]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f if line.strip()]
    return pairs[:limit] if limit else pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, nargs="+", help="(gold, OCR) pair files made from corpus text")
    parser.add_argument("--channel-weights", type=float, nargs="+", default=[0.8, 1.0, 1.2])
    parser.add_argument("--keep-scores", type=float, nargs="+", default=[-9.0, -12.0, -15.0])
    parser.add_argument("--limit", type=int, default=None, help="first N lines of each file")
    args = parser.parse_args()
    model = Model.load()
    sets = [(path.name.split(".")[0], read_pairs(path, args.limit)) for path in args.pairs]
    print("| channel_weight | keep_score | mean CER % | mean WER % | mean syllable accuracy % | CER % per set |")
    print("|---|---|---|---|---|---|")
    for weight in args.channel_weights:
        for keep in args.keep_scores:
            restorer = Restorer(model, Options(mode="ocr", channel_weight=weight, keep_score=keep))
            rows = []
            for _, pairs in sets:
                restored = restorer.restore("\n".join(p["ocr"] for p in pairs)).split("\n")
                rows.append(scores([p["gold"] for p in pairs], restored))
            mean = [100 * sum(r[k] for r in rows) / len(rows) for k in range(3)]
            per_set = " ".join(f"{100 * r[0]:.2f}" for r in rows)
            print(f"| {weight:g} | {keep:g} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {per_set} |", flush=True)
    print("sets: " + " ".join(name for name, _ in sets))


if __name__ == "__main__":
    main()
