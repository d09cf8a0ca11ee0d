"""Speed and memory: tokens/s after load (plain and OCR mode), load time, `vnrestore fix`
on an empty file, peak RSS; beside the most-frequent-form baseline and, optionally, a
previous release, all measured in the same run.

    python benchmarks/speed.py [--set legal] [--repeat 3] [--previous /path/to/venv/bin/python] [--pure] [--no-memory] [--no-triggers]

Inputs: plain mode restores the accent-stripped ../shared/eval/dev/<set>.txt; OCR mode
restores the OCR readings of ../shared/eval/ocr-dev/dev-seedlike300.jsonl (one line
each).  Tokens are all non-space tokens (words, numbers, codes, punctuation).  Each
figure comes from a fresh process pinned to one core where the OS allows; the best of
`--repeat` runs is kept.  The baseline (tokenize + most frequent form + render, no LM)
runs under this checkout.  `--previous` is the interpreter of another install of
vnrestore (e.g. a venv of the last release): its rows are measured by the same child
script with that interpreter, so both sides see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
mode, path, repeat = sys.argv[2], sys.argv[3], int(sys.argv[4])
text = open(path, encoding="utf-8").read()
t0 = time.perf_counter()
from vnrestore.pipeline import Options, Restorer
extra = {name: 0.0 for name in os.environ.get("SPEED_OFF", "").split(",") if name}  # e.g. memory_weight
restorer = Restorer(None, Options(mode="plain" if mode == "baseline" else mode, **extra))
load = time.perf_counter() - t0
if mode == "baseline":
    from accuracy import most_frequent_form
    run = lambda: most_frequent_form(restorer, text)
else:
    restorer.restore(text[:2000])  # warm-up: first-use tables (OCR mode's confusion model)
    run = lambda: restorer.restore(text)
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    run()
    best = min(best, time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": load, "seconds": best, "rss_mb": rss}))
"""


def measure(python: str, mode: str, path: Path, repeat: int, env: dict | None = None) -> dict:
    out = subprocess.run([python, "-c", _CHILD, str(HERE), mode, str(path), str(repeat)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def empty_fix_seconds(python: str, empty: Path, repeat: int, env: dict | None = None) -> float:
    """Wall time of `vnrestore fix EMPTY` (interpreter start, imports, model load)."""
    best = float("inf")
    for _ in range(max(repeat, 3)):
        t = time.perf_counter()
        subprocess.run([python, "-m", "vnrestore", "fix", str(empty)], check=True,
                       stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - t)
    return best


def count_tokens(text: str) -> int:
    from vnrestore.tokenize import NEWLINE, SPACE, tokenize
    return sum(t.kind not in (SPACE, NEWLINE) for t in tokenize(text))


def main() -> None:
    from common import dev_set, need_shared, stripped

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="legal")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--previous", metavar="PYTHON", default=None,
                        help="interpreter of a previous vnrestore install to measure beside this one")
    parser.add_argument("--no-memory", action="store_true",
                        help="also measure this checkout with the document memory off (memory_weight 0)")
    parser.add_argument("--no-triggers", action="store_true",
                        help="also measure this checkout without the trigger table's scores (trigger_weight 0)")
    parser.add_argument("--pure", action="store_true",
                        help="also measure this checkout's pure Python + numpy decoder (VNRESTORE_PURE=1)")
    args = parser.parse_args()
    plain = stripped(dev_set(args.set))
    ocr_lines = need_shared("eval", "ocr-dev", "dev-seedlike300.jsonl").read_text(encoding="utf-8").splitlines()
    ocr = "\n".join(json.loads(line)["ocr"] for line in ocr_lines if line.strip()) + "\n"
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"vnrestore-speed-{os.getpid()}"
    tmp.mkdir()
    inputs = {"plain": tmp / "plain.txt", "ocr": tmp / "ocr.txt"}
    inputs["plain"].write_text(plain, encoding="utf-8")
    inputs["ocr"].write_text(ocr, encoding="utf-8")
    (tmp / "empty.txt").write_text("", encoding="utf-8")
    tokens = {"plain": count_tokens(plain), "ocr": count_tokens(ocr)}
    pure_env = {**os.environ, "VNRESTORE_PURE": "1"}
    forgetful_env = {**os.environ, "SPEED_OFF": "memory_weight"}
    untriggered_env = {**os.environ, "SPEED_OFF": "trigger_weight"}
    sides = ([("this checkout", sys.executable, None)]
             + ([("this checkout, document memory off", sys.executable, forgetful_env)] if args.no_memory else [])
             + ([("this checkout, triggers off", sys.executable, untriggered_env)] if args.no_triggers else [])
             + ([("this checkout, pure path", sys.executable, pure_env)] if args.pure else [])
             + ([("previous", args.previous, None)] if args.previous else []))
    try:
        base = measure(sys.executable, "baseline", inputs["plain"], args.repeat)
        results: dict[str, dict] = {name: {} for name, _, _ in sides}
        for mode in ("plain", "ocr", "empty"):  # the sides alternate, so load drifts hit both
            for name, python, env in sides:
                results[name][mode] = (empty_fix_seconds(python, tmp / "empty.txt", args.repeat, env)
                                       if mode == "empty" else measure(python, mode, inputs[mode], args.repeat, env))
    finally:
        shutil.rmtree(tmp)
    print(f"inputs: plain mode accent-stripped dev/{args.set}.txt ({tokens['plain']:,} tokens); OCR mode "
          f"ocr-dev/dev-seedlike300.jsonl readings ({tokens['ocr']:,} tokens); best of {args.repeat}, one core")
    print("| | plain tokens/s | OCR tokens/s | load (s) | empty-file `fix` (s) | peak RSS plain / OCR (MB) |")
    print("|---|---|---|---|---|---|")
    print(f"| baseline: most frequent form | {tokens['plain'] / base['seconds']:,.0f} | | {base['load']:.2f} | "
          f"| {base['rss_mb']:.0f} |")
    for name, r in results.items():
        print(f"| vnrestore, {name} | {tokens['plain'] / r['plain']['seconds']:,.0f} | "
              f"{tokens['ocr'] / r['ocr']['seconds']:,.0f} | {r['plain']['load']:.2f} | {r['empty']:.2f} | "
              f"{r['plain']['rss_mb']:.0f} / {r['ocr']['rss_mb']:.0f} |")
    if "previous" in results:
        now, then = results["this checkout"], results["previous"]
        print(f"this checkout / previous: plain {then['plain']['seconds'] / now['plain']['seconds']:.2f}x, "
              f"OCR {then['ocr']['seconds'] / now['ocr']['seconds']:.2f}x, "
              f"load {now['plain']['load'] / then['plain']['load']:.2f}x the time, "
              f"empty-file fix {now['empty'] / then['empty']:.2f}x the time")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
