"""Speed and memory: load time, tokens per second after load, peak RSS.

    python benchmarks/speed.py [--set legal] [--repeat 3]

Input: the accent-stripped ../shared/eval/dev/<set>.txt (>= 50k tokens).  Tokens are
all non-space tokens (words, numbers, codes, punctuation).  Each measurement runs in a
fresh process pinned to one core where the OS allows, beside the most-frequent-form
baseline (tokenize + table look-up + render, no LM) measured the same way in the same
run, so machine load affects both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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
from vnrestore.pipeline import Restorer
restorer = Restorer(None)
load = time.perf_counter() - t0
if mode == "baseline":
    from accuracy import most_frequent_form
    run = lambda: most_frequent_form(restorer, text)
else:
    run = restorer.restore
run(text[:2000]) if mode != "baseline" else None
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    run(text) if mode != "baseline" else run()
    best = min(best, time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": load, "seconds": best, "rss_mb": rss}))
"""


def measure(mode: str, path: Path, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(HERE), mode, str(path), str(repeat)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    from common import need_shared, stripped
    from vnrestore.tokenize import NEWLINE, SPACE, tokenize

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="legal")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gold = need_shared("eval", "dev", f"{args.set}.txt").read_text(encoding="utf-8")
    plain = stripped(gold)
    n_tokens = sum(t.kind not in (SPACE, NEWLINE) for t in tokenize(plain))
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"vnrestore-speed-{os.getpid()}.txt"
    tmp.write_text(plain, encoding="utf-8")
    try:
        base = measure("baseline", tmp, args.repeat)
        ours = measure("restore", tmp, args.repeat)
    finally:
        tmp.unlink()
    print(f"input: accent-stripped dev/{args.set}.txt, {n_tokens:,} tokens, best of {args.repeat}, one core")
    print("| | load (s) | tokens/s after load | peak RSS (MB) |")
    print("|---|---|---|---|")
    for name, m in (("baseline: most frequent form", base), ("vnrestore", ours)):
        print(f"| {name} | {m['load']:.2f} | {n_tokens / m['seconds']:,.0f} | {m['rss_mb']:.0f} |")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
