"""Progress on a terminal's stderr, drawn by tqdm: percentage, ETA and rate by bytes of
input, for a batch of files (``BatchProgress``) or one big file (``track_lines``).

Shown only when stderr is a terminal (a log file or a pipe gets no control characters)
and the caller does not ask for quiet.  The callers create a bar only once the model is
loaded, so the rate (MB/s, and tokens/s for batches) measures restoring, not start-up;
tqdm's smoothed rate also lets the ETA follow the recent pace.  tqdm is imported only
when a bar is drawn, so it costs nothing otherwise.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import IO, Iterable, Iterator

_BAR = "{l_bar}{bar}| {n_fmt}B/{total_fmt}B [{elapsed}<{remaining}, {rate_fmt}{postfix}]"


def wanted(quiet: bool, stream: IO[str] | None = None) -> bool:
    """Whether to show progress: not asked to be quiet, and stderr is a terminal."""
    stream = stream or sys.stderr
    return not quiet and stream.isatty()


def _bar(total: int | None, stream: IO[str], description: str):
    from tqdm import tqdm  # only when a bar is drawn

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1000, file=stream, desc=description,
                leave=False, dynamic_ncols=True, mininterval=0.2, bar_format=_BAR if total else None)


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:  # unreadable: the batch reports it; it counts for nothing here
        return 0


def plural(count: int, word: str) -> str:
    """"1 file", "2 files": a count with its noun (never "1 tokens")."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class BatchProgress:
    """A batch's progress: input bytes of the files done out of all, files, tokens/s.

    Called by ``batch.run`` after each file as ``progress(result, total_files, source)``."""

    def __init__(self, sources: Iterable[Path], stream: IO[str] | None = None):
        self.sizes = {str(source): _size(source) for source in sources}
        self.bar = _bar(sum(self.sizes.values()), stream or sys.stderr, "restoring")
        self.bar.set_postfix_str(f"0/{plural(len(self.sizes), 'file')}")
        self.start = time.perf_counter()

    def __call__(self, result, total: int, source=None) -> None:
        done = result.files + len(result.failures)
        seconds = time.perf_counter() - self.start
        rate = result.tokens / seconds if seconds > 0 else 0.0
        self.bar.set_postfix_str(f"{done}/{plural(total, 'file')}, {rate:,.0f} tokens/s", refresh=False)
        self.bar.update(self.sizes.get(str(source), 0))

    def close(self) -> None:
        self.bar.close()


def track_lines(lines: Iterable[str], path: str, stream: IO[str] | None = None) -> Iterator[str]:
    """`lines` unchanged, advancing a bar by their UTF-8 bytes out of `path`'s size (no
    total, so no percentage, for stdin or anything whose size is unknown)."""
    total = _size(Path(path)) if path != "-" and Path(path).is_file() else None
    bar = _bar(total or None, stream or sys.stderr, Path(path).name if path != "-" else "<stdin>")
    try:
        for line in lines:
            yield line
            bar.update(len(line.encode("utf-8", "surrogatepass")))
    finally:
        bar.close()
