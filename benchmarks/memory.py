"""Peak memory of `vnrestore fix FILE > /dev/null` as the input grows.

    python benchmarks/memory.py [--sizes 1 10 100]      # megabytes

Inputs are the accent-stripped dev sets repeated to each size.  Each run is a fresh
process; its peak RSS is read from the kernel (ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from common import dev_set, stripped

_CHILD = r"""
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    text = "".join(stripped(dev_set(n))
                   for n in ("legal", "vanban", "wiki", "news")).encode("utf-8")
    print("| input | seconds | peak RSS (MB) | vs the smallest |")
    print("|---|---|---|---|")
    first = None
    for size in args.sizes:
        handle = tempfile.NamedTemporaryFile(suffix=".txt", delete=False)
        name = handle.name
        try:
            with handle:
                target = int(size * 1e6)
                while handle.tell() < target:
                    piece = text[: target - handle.tell()]
                    handle.write(piece[: piece.rfind(b"\n") + 1] or piece)  # whole lines: valid UTF-8
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", _CHILD, sys.executable, "-m", "vnrestore", "fix", name],
                                 check=True, capture_output=True, text=True).stdout
            seconds = time.perf_counter() - t0
        finally:
            os.unlink(name)
        rss = int(out.strip().splitlines()[-1]) / 1024
        first = first or rss
        print(f"| {size:g} MB | {seconds:.0f} | {rss:.0f} | {rss / first:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
