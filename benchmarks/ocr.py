"""OCR restoration: CER, WER and syllable accuracy before and after, plain vs ocr mode;
case errors, second-pass changes, and what OCR mode does to correct text.

    python benchmarks/ocr.py [--limit N] [--pairs MORE.jsonl ...] [--previous CHECKOUT]
                             [--modes plain ocr auto] [--correct-limit N] [--no-correct]
                             [--channel-weight W] [--keep-score S]

Sets: ../shared/eval/ocr-dev/*.jsonl (real Tesseract-eng OCR of the dev sets; lines
joined in page order into one document, so context crosses wrapped lines as on a page),
any further pair files given with --pairs (e.g. made from the dev sets with other fonts,
presets or the Vietnamese model: see README), and the example page's first 35 lines
against their gold.

Table 1 columns: the raw OCR; each mode of this checkout; ``previous ocr``: OCR mode of
another release (--previous), run in a subprocess with that release's own code and its
own packaged model: a checkout with its own ``.venv`` (e.g. /tmp/speed-base), or that
venv's Python itself; then, for OCR mode, case errors (words whose
letters are right but whose case is wrong, % of gold words) and the second pass (OCR
mode over its own output: % of characters it changes).

Table 2 (correct text): ``--mode ocr`` over the gold dev sets ../shared/eval/dev/*.txt:
% of words altered, and % of characters a second pass changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

from common import SHARED, need_shared
from rapidfuzz.distance import Levenshtein

from vnrestore.orthography import is_valid_syllable, normalize_syllable
from vnrestore.pipeline import Options, Restorer
from vnrestore.tokenize import WORD, tokenize

_PREVIOUS = ("import sys; from vnrestore.pipeline import Options, Restorer; "
             "sys.stdout.write(Restorer(options=Options(mode=sys.argv[1])).restore(sys.stdin.read()))")


def words(line: str) -> list[str]:
    return [normalize_syllable(t.text.lower()) if is_valid_syllable(t.text.lower()) else t.text.lower()
            for t in tokenize(unicodedata.normalize("NFC", line)) if t.kind == WORD]


def cased_words(line: str) -> list[str]:
    return [t.text for t in tokenize(unicodedata.normalize("NFC", line)) if t.kind == WORD]


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


def case_errors(golds: list[str], outputs: list[str]) -> float:
    """Share of gold words whose letters came out right but in the wrong case."""
    total = wrong = 0
    for gold, out in zip(golds, outputs):
        g, o = cased_words(gold), cased_words(out)
        total += len(g)
        for op in Levenshtein.opcodes([w.lower() for w in g], [w.lower() for w in o]):
            if op.tag == "equal":
                wrong += sum(a != b for a, b in zip(g[op.src_start: op.src_end], o[op.dest_start: op.dest_end]))
    return wrong / max(total, 1)


def altered_words(inputs: str, outputs: str) -> float:
    """Share of the input's words that the output does not keep exactly."""
    a, b = cased_words(inputs), cased_words(outputs)
    kept = sum(op.src_end - op.src_start for op in Levenshtein.opcodes(a, b) if op.tag == "equal")
    return 1 - kept / max(len(a), 1)


def changed_chars(first: str, second: str) -> float:
    return Levenshtein.distance(first, second) / max(len(first), 1)


def previous_python(path: Path) -> tuple[str, dict[str, str]]:
    """The interpreter (and environment) that runs another release with its own code
    and model.  Its own venv's Python finds both through its own install; running it
    with this checkout's Python and only PYTHONPATH would load this install's packaged
    model, which an older release may not read (another format)."""
    env = {"PATH": "/usr/bin:/bin"}
    if path.is_dir():
        venv = path / ".venv" / "bin" / "python"
        if venv.exists():
            return str(venv), env
        return sys.executable, {**env, "PYTHONPATH": str(path / "src")}  # code only: this model
    return str(path), env


def previous(checkout: Path, mode: str, document: str) -> str:
    """Restore with another release's code and model, in a subprocess."""
    python, env = previous_python(checkout)
    result = subprocess.run([python, "-c", _PREVIOUS, mode], input=document, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"--previous {checkout}: the other release failed: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout


def run_set(name: str, golds: list[str], ocr_lines: list[str], restorers: dict[str, Restorer],
            checkout: Path | None) -> None:
    document = "\n".join(ocr_lines)
    row = [("raw OCR", scores(golds, ocr_lines), None)]
    ocr_output = None
    for label, restorer in restorers.items():
        t0 = time.perf_counter()
        restored = restorer.restore(document)
        row.append((label, scores(golds, restored.split("\n")), time.perf_counter() - t0))
        if label == "ocr":
            ocr_output = restored
    if checkout is not None:
        row.append(("previous ocr", scores(golds, previous(checkout, "ocr", document).split("\n")), None))
    n_tokens = sum(1 for line in ocr_lines for t in tokenize(line) if t.kind not in ("space", "newline"))
    cells = []
    for label, (cer, wer, acc), seconds in row:
        speed = f", {n_tokens / seconds:,.0f} tok/s" if seconds else ""
        cells.append(f"{100 * cer:.2f} / {100 * wer:.2f} / {100 * acc:.2f}{speed}")
    if ocr_output is not None:
        again = restorers["ocr"].restore(ocr_output)
        cells.append(f"{100 * case_errors(golds, ocr_output.split(chr(10))):.3f}")
        cells.append(f"{100 * changed_chars(ocr_output, again):.3f}")
    print(f"| {name} ({len(golds):,} lines) | " + " | ".join(cells) + " |", flush=True)


def read_pairs(path: Path, limit: int | None) -> list[dict]:
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pairs[:limit] if limit else pairs


def correct_text(restorer: Restorer, limit: int | None, checkout: Path | None) -> None:
    print("\nCorrect text through --mode ocr: % of words altered / % of characters a second pass changes")
    print("| dev set | words altered % | second pass % | previous: words altered % |")
    print("|---|---|---|---|")
    for path in sorted(need_shared("eval", "dev").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        text = "\n".join(lines[:limit] if limit else lines)
        once = restorer.restore(text)
        twice = restorer.restore(once)
        before = f"{100 * altered_words(text, previous(checkout, 'ocr', text)):.2f}" if checkout else "-"
        print(f"| {path.stem} ({text.count(chr(10)) + 1:,} lines) | {100 * altered_words(text, once):.3f}"
              f" | {100 * changed_chars(once, twice):.3f} | {before} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N lines of each OCR set")
    parser.add_argument("--pairs", type=Path, nargs="*", default=[], help="more OCR pair files (JSON lines)")
    parser.add_argument("--previous", type=Path, default=None, help="previous release: a checkout with its own .venv, or that venv's python")
    parser.add_argument("--modes", nargs="+", default=["plain", "ocr", "auto"])
    parser.add_argument("--correct-limit", type=int, default=None, help="first N lines of each dev set")
    parser.add_argument("--no-correct", action="store_true", help="skip the correct-text table")
    parser.add_argument("--no-ocr-sets", action="store_true", help="only the correct-text table")
    parser.add_argument("--channel-weight", type=float, default=Options.channel_weight)
    parser.add_argument("--keep-score", type=float, default=Options.keep_score)
    parser.add_argument("--memory-weight", type=float, default=Options.memory_weight)
    args = parser.parse_args()
    weights = {"channel_weight": args.channel_weight, "keep_score": args.keep_score,
               "memory_weight": args.memory_weight}
    restorers = {mode: Restorer(options=Options(mode=mode, **weights)) for mode in dict.fromkeys(args.modes + ["ocr"])}
    if not args.no_ocr_sets:
        labels = list(restorers) + (["previous ocr"] if args.previous else [])
        print("CER % / WER % / syllable accuracy %, speed after load; ocr mode's case errors and second pass")
        print("| set | raw OCR | " + " | ".join(f"{m} mode" for m in labels)
              + " | case errors % of words | second pass % chars |")
        print("|---" * (len(labels) + 4) + "|")
        paths = sorted(need_shared("eval", "ocr-dev").glob("*.jsonl")) + list(args.pairs)
        for path in paths:
            pairs = read_pairs(path, args.limit)
            run_set(path.stem, [p["gold"] for p in pairs], [p["ocr"] for p in pairs], restorers, args.previous)
        gold = (SHARED / "examples" / "report-2021-2025.gold-lines-1-35.txt").read_text(encoding="utf-8").split("\n")[:35]
        ocr = (SHARED / "examples" / "report-2021-2025.ocr.txt").read_text(encoding="utf-8").split("\n")[:35]
        run_set("example page, lines 1-35", gold, ocr, restorers, args.previous)
    if not args.no_correct:
        correct_text(restorers["ocr"], args.correct_limit, args.previous)


if __name__ == "__main__":
    main()
