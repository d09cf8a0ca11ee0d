"""Choose OCR mode's two weights on the whole ocr-dev set (a recorded, global tuning).

    python benchmarks/tune_ocr.py --channel-weights 0.7 1 1.4 --keep-scores -6 -12 -18

Prints CER / WER / syllable accuracy (%) for each pair of Options.channel_weight and
Options.keep_score; the choice is recorded in README.md.
"""

from __future__ import annotations

import argparse
import json

from common import need_shared
from ocr import scores

from vnrestore.model import Model
from vnrestore.pipeline import Options, Restorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channel-weights", type=float, nargs="+", default=[0.7, 1.0, 1.4])
    parser.add_argument("--keep-scores", type=float, nargs="+", default=[-6.0, -12.0, -18.0])
    args = parser.parse_args()
    model = Model.load()
    pairs = []
    for path in sorted(need_shared("eval", "ocr-dev").glob("*.jsonl")):
        pairs += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    golds = [p["gold"] for p in pairs]
    document = "\n".join(p["ocr"] for p in pairs)
    print("| channel_weight | keep_score | CER % | WER % | syllable accuracy % |")
    print("|---|---|---|---|---|")
    for weight in args.channel_weights:
        for keep in args.keep_scores:
            restorer = Restorer(model, Options(mode="ocr", channel_weight=weight, keep_score=keep))
            cer, wer, acc = scores(golds, restorer.restore(document).split("\n"))
            print(f"| {weight:g} | {keep:g} | {100 * cer:.2f} | {100 * wer:.2f} | {100 * acc:.2f} |", flush=True)


if __name__ == "__main__":
    main()
