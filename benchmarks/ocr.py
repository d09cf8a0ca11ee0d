"""OCR restoration: CER, WER and syllable accuracy before and after, plain vs ocr mode.

    python benchmarks/ocr.py [--limit N]

Sets: ../shared/eval/ocr-dev/*.jsonl (real Tesseract-eng OCR of the dev sets; lines
joined in page order into one document, so context crosses wrapped lines as on a page)
and the example page's first 35 lines against their gold.  Columns: the raw OCR, plain
mode (diacritics only), ocr mode (diacritics and OCR letter noise), auto mode (ocr
for blocks that look OCR'd).
"""

from __future__ import annotations

import argparse
import json
import time
import unicodedata

from common import SHARED, need_shared
from rapidfuzz.distance import Levenshtein

from vnrestore.orthography import is_valid_syllable, normalize_syllable
from vnrestore.pipeline import Options, Restorer
from vnrestore.tokenize import WORD, tokenize


def words(line: str) -> list[str]:
    return [normalize_syllable(t.text.lower()) if is_valid_syllable(t.text.lower()) else t.text.lower()
            for t in tokenize(unicodedata.normalize("NFC", line)) if t.kind == WORD]


def scores(golds: list[str], outputs: list[str]) -> tuple[float, float, float]:
    """(CER, WER, syllable accuracy) over aligned lines."""
    chars = char_err = n_words = word_err = syllables = syllables_ok = 0
    for gold, out in zip(golds, outputs):
        gold, out = unicodedata.normalize("NFC", gold), unicodedata.normalize("NFC", out)
        chars += len(gold)
        char_err += Levenshtein.distance(gold, out)
        gold_words, out_words = words(gold), words(out)
        n_words += len(gold_words)
        word_err += Levenshtein.distance(gold_words, out_words)
        gold_syllables = [is_valid_syllable(w) for w in gold_words]
        syllables += sum(gold_syllables)
        for op in Levenshtein.opcodes(gold_words, out_words):
            if op.tag == "equal":
                syllables_ok += sum(gold_syllables[op.src_start: op.src_end])
    return char_err / max(chars, 1), word_err / max(n_words, 1), syllables_ok / max(syllables, 1)


def run_set(name: str, golds: list[str], ocr_lines: list[str], restorers: dict[str, Restorer]) -> None:
    document = "\n".join(ocr_lines)
    row = [("raw OCR", scores(golds, ocr_lines), None)]
    for label, restorer in restorers.items():
        t0 = time.perf_counter()
        restored = restorer.restore(document).split("\n")
        row.append((label, scores(golds, restored), time.perf_counter() - t0))
    n_tokens = sum(1 for line in ocr_lines for t in tokenize(line) if t.kind not in ("space", "newline"))
    cells = []
    for label, (cer, wer, acc), seconds in row:
        speed = f", {n_tokens / seconds:,.0f} tok/s" if seconds else ""
        cells.append(f"{100 * cer:.2f} / {100 * wer:.2f} / {100 * acc:.2f}{speed}")
    print(f"| {name} ({len(golds):,} lines) | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N lines of each OCR set")
    args = parser.parse_args()
    restorers = {mode: Restorer(options=Options(mode=mode)) for mode in ("plain", "ocr", "auto")}
    print("CER % / WER % / syllable accuracy %, speed after load")
    print("| set | raw OCR | plain mode | ocr mode | auto mode (default) |")
    print("|---|---|---|---|---|")
    for path in sorted(need_shared("eval", "ocr-dev").glob("*.jsonl")):
        pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        pairs = pairs[: args.limit] if args.limit else pairs
        run_set(path.stem, [p["gold"] for p in pairs], [p["ocr"] for p in pairs], restorers)
    gold = (SHARED / "examples" / "report-2021-2025.gold-lines-1-35.txt").read_text(encoding="utf-8").split("\n")[:35]
    ocr = (SHARED / "examples" / "report-2021-2025.ocr.txt").read_text(encoding="utf-8").split("\n")[:35]
    run_set("example page, lines 1-35", gold, ocr, restorers)


if __name__ == "__main__":
    main()
