"""Restore many files into an output tree, in parallel, with progress and a summary.

``vnrestore fix DIR/ more.txt -o OUTDIR/ --jobs N`` maps each input file to a path
under OUTDIR (a directory's files keep their place relative to it; a file named
directly lands in OUTDIR under its own name), restores the files in N worker
processes (each loads the model once; the model is memory-mapped, so its pages are
shared), writes every output atomically, and carries on past a file that fails.

Ctrl-C stops the run: the parent alone takes SIGINT (the workers ignore it, so a ^C sent
to the whole process group does not make them drop their file and take the next), sets
a shared stop flag, cancels the files not started, and waits for the workers to notice
the flag between two blocks of their current file, which they then abandon (its
temporary output removed).  ``run`` returns with ``interrupted`` set and the count of
files finished.
"""

from __future__ import annotations

import contextlib
import glob
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import regex

from .errors import InputError, OutputError, VnrestoreError
from .pipeline import Options, Restorer
from .legacy import convert_lines
from .textio import atomic_output, read_lines

# What the progress figures count as a token: a run of letters/digits or one other
# non-space character, as the speed benchmark counts them.
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]")
_GLOB_CHARS = frozenset("*?[")


@dataclass
class BatchResult:
    files: int = 0
    tokens: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (input, message)
    interrupted: bool = False  # stopped by Ctrl-C before every file was done

    def summary(self) -> str:
        rate = self.tokens / self.seconds if self.seconds else 0.0
        text = (f"restored {self.files:,} file{'s' if self.files != 1 else ''}, {self.tokens:,} tokens "
                f"in {self.seconds:.1f} s ({rate:,.0f} tokens/s)")
        if self.failures:
            text += f"; {len(self.failures)} failed"
        return text

    def interruption(self, total: int) -> str:
        """The one line printed when Ctrl-C stopped the run."""
        return (f"interrupted: {self.files:,} of {total:,} files done"
                f"{f', {len(self.failures)} failed' if self.failures else ''}; the others not written")


def plan(inputs: Iterable[str], outdir: Path, pattern: str = "*.txt") -> list[tuple[Path, Path]]:
    """(input file, output file) pairs.  Directories are walked for files matching
    `pattern`; an input with glob characters that is not a file is expanded."""
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir}/: not a directory (a file of that name exists; drop the '/' to write to it)")
    pairs: list[tuple[Path, Path]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for file in sorted(path.rglob(pattern)):
                if file.is_file():
                    pairs.append((file, outdir / file.relative_to(path)))
        elif is_pattern(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputError(f"{item}: no file matches")
            pairs.extend((Path(m), outdir / Path(m).name) for m in matches if Path(m).is_file())
        else:
            pairs.append((path, outdir / path.name))
    targets = [out.resolve() for _, out in pairs]
    if len(set(targets)) != len(targets):
        raise InputError(f"two inputs would be written to the same file in {outdir}")
    return pairs


def is_pattern(item: str) -> bool:
    """An input that names no file but has glob characters: a pattern to expand."""
    return not Path(item).exists() and bool(_GLOB_CHARS & set(item))


# One restorer per worker process, made by the pool's initializer, and the parent's
# stop flag (set on Ctrl-C).
_worker: Restorer | None = None
_stop = None


class Interrupted(Exception):
    """A worker abandoned its file because the run is being stopped."""


def _init_worker(model: str | None, options: Options, user_lexicon: dict[str, float] | None,
                 stop=None) -> None:
    global _worker, _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides, through `stop`
    _stop = stop
    _worker = Restorer(model, options, user_lexicon=user_lexicon)


def _check_stop() -> None:
    if _stop is not None and _stop.is_set():
        raise Interrupted()


def _restore_file(source: Path, target: Path, errors: str, restorer: Restorer | None = None,
                  legacy: str = "auto") -> tuple[int, str | None]:
    """Restore one file; return (tokens, error message or None)."""
    restorer = restorer or _worker
    tokens = 0
    _check_stop()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target) as out:
            lines = convert_lines(read_lines(str(source), errors), legacy)
            for piece in restorer.restore_lines(lines):
                _check_stop()  # between blocks: the temporary output is removed on the way out
                tokens += len(_TOKEN.findall(piece))
                out.write(piece.encode("utf-8"))
    except VnrestoreError as exc:
        return tokens, str(exc)
    except OSError as exc:
        return tokens, f"{exc.filename or source}: {exc.strerror}"
    return tokens, None


def run(pairs: list[tuple[Path, Path]], *, model: str | None, options: Options, errors: str = "strict",
        legacy: str = "auto", user_lexicon: dict[str, float] | None = None, jobs: int = 1,
        progress: Callable[[BatchResult, int], None] | None = None) -> BatchResult:
    """Restore every pair; `progress(result so far, total files)` after each file.  On
    Ctrl-C, stop promptly and return what was done, with ``interrupted`` set."""
    result = BatchResult()
    start = time.perf_counter()

    def record(source: Path, outcome: tuple[int, str | None]) -> None:
        tokens, error = outcome
        result.tokens += tokens
        if error is None:
            result.files += 1
        else:
            result.failures.append((str(source), error))
        result.seconds = time.perf_counter() - start
        if progress:
            progress(result, len(pairs))

    try:
        if jobs <= 1 or len(pairs) <= 1:
            restorer = Restorer(model, options, user_lexicon=user_lexicon)
            for source, target in pairs:
                record(source, _restore_file(source, target, errors, restorer, legacy))
        else:
            _run_pool(pairs, record, jobs, (model, options, user_lexicon), errors, legacy)
    except KeyboardInterrupt:
        result.interrupted = True
    result.seconds = time.perf_counter() - start
    return result


def _run_pool(pairs, record, jobs: int, initargs: tuple, errors: str, legacy: str) -> None:
    """The files across `jobs` worker processes; a KeyboardInterrupt here stops them
    (see the module docstring) and is raised again once they have."""
    context = multiprocessing.get_context()
    stop = context.Event()
    with _sigint_ignored():  # workers forked meanwhile start with ^C ignored, no window
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(*initargs, stop))
        futures = {pool.submit(_restore_file, s, t, errors, None, legacy): s for s, t in pairs}
    recorded = set()
    try:
        for future in as_completed(futures):
            recorded.add(future)
            record(futures[future], future.result())
    except KeyboardInterrupt:
        stop.set()
        with _sigint_ignored():  # a second ^C must not leave workers behind
            pool.shutdown(wait=True, cancel_futures=True)
        for future, source in futures.items():  # files finished while stopping count
            if future not in recorded and not future.cancelled() and future.exception() is None:
                record(source, future.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _sigint_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ProgressBar:
    """One self-overwriting line on a terminal's stderr: files done and tokens/s."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.shown = False

    def __call__(self, result: BatchResult, total: int) -> None:
        done = result.files + len(result.failures)
        rate = result.tokens / result.seconds if result.seconds else 0.0
        width = 24
        filled = width * done // max(total, 1)
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files  {rate:,.0f} tokens/s"
        self.stream.write(line)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1
