"""Parallel batch throughput: `vnrestore fix DIR -o OUT/ --jobs N` for N = 1 and 2.

    python benchmarks/batch.py [--files 200]

The accent-stripped dev sets are cut into FILES files of whole lines; each run is a
fresh `vnrestore` process (model load included), so the ratio is what a user sees.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import dev_set, stripped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    lines = []
    for name in ("legal", "vanban", "wiki", "news"):
        lines += stripped(dev_set(name)).splitlines(True)
    work = Path(tempfile.mkdtemp(prefix="vnrestore-batch-"))
    try:
        inputs = work / "in"
        inputs.mkdir()
        per_file = -(-len(lines) // args.files)
        for i in range(args.files):
            (inputs / f"doc{i:04d}.txt").write_text("".join(lines[i * per_file:(i + 1) * per_file]), encoding="utf-8")
        exe = [sys.executable, "-m", "vnrestore", "fix", str(inputs), "--quiet"]
        print(f"{args.files} files, {len(lines):,} lines in all")
        print("| --jobs | seconds | speed-up over --jobs 1 |")
        print("|---|---|---|")
        first = None
        for jobs in args.jobs:
            out = work / f"out{jobs}"
            t0 = time.perf_counter()
            subprocess.run(exe + ["-o", f"{out}/", "--jobs", str(jobs)], check=True)
            seconds = time.perf_counter() - t0
            first = first or seconds
            print(f"| {jobs} | {seconds:.1f} | {first / seconds:.2f}× |", flush=True)
        outputs = [sorted((work / f"out{j}").iterdir()) for j in args.jobs]
        same = all([p.read_bytes() for p in o] == [p.read_bytes() for p in outputs[0]] for o in outputs)
        print(f"outputs identical across job counts: {same}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
