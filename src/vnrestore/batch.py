"""Restore many files into an output tree, in parallel, with progress (``progress``) and a summary.

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
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import regex

from . import ocrxml
from .errors import InputError, OutputError, VnrestoreError
from .pipeline import Options, Restorer
from .legacy import convert_lines
from .progress import plural
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
        text = (f"restored {plural(self.files, 'file')}, {plural(self.tokens, 'token')} "
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
    `pattern` and keep their tree; an input with glob characters that is not a file is
    expanded and keeps the tree below its fixed prefix (``in/**/*.txt`` writes
    ``in/a/b.txt`` to ``OUTDIR/a/b.txt``); a file named directly lands in OUTDIR under its
    own name.  Two inputs bound for one output file are refused, naming both."""
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
            prefix = fixed_prefix(item)
            pairs.extend((Path(m), outdir / Path(m).relative_to(prefix)) for m in matches if Path(m).is_file())
        else:
            pairs.append((path, outdir / path.name))
    seen: dict[Path, Path] = {}
    for source, target in pairs:
        other = seen.setdefault(target.resolve(), source)
        if other != source:
            raise InputError(f"{other} and {source} would both be written to {target}")
    return pairs


def fixed_prefix(pattern: str) -> Path:
    """The leading directories of a glob pattern that hold no glob character."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts[:-1]:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


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
    if ocrxml.sniff_name(source.name):
        done = _restore_ocr_file(source, target, restorer)
        if done is not None:
            return done
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


def _restore_ocr_file(source: Path, target: Path, restorer: Restorer) -> tuple[int, str | None] | None:
    """An hOCR or ALTO file restored in place (see ``ocrxml``); None if it is neither."""
    try:
        data = source.read_bytes()
        fmt = ocrxml.detect(data)
        if fmt is None:
            return None
        result = ocrxml.restore_document(data, fmt, restorer.explain_many, str(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target) as out:
            out.write(result)
    except VnrestoreError as exc:
        return 0, str(exc)
    except OSError as exc:
        return 0, f"{exc.filename or source}: {exc.strerror}"
    return len(_TOKEN.findall(result.decode("utf-8", "replace"))), None


def run(pairs: list[tuple[Path, Path]], *, model: str | None, options: Options, errors: str = "strict",
        legacy: str = "auto", user_lexicon: dict[str, float] | None = None, jobs: int = 1,
        progress: Callable[[BatchResult, int, Path], None] | None = None) -> BatchResult:
    """Restore every pair; `progress(result so far, total files, input done)` after each
    file.  On Ctrl-C, stop promptly and return what was done, with ``interrupted`` set."""
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
            progress(result, len(pairs), source)

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
    """The files across `jobs` worker processes; a ^C stops them (see the module
    docstring), then KeyboardInterrupt is raised.  In the main thread ^C only sets a
    flag that the loop reads between waits of at most 0.1 s: a KeyboardInterrupt raised
    inside ``concurrent.futures`` (while it holds a future's lock) could leave the pool
    unable to shut down."""
    import multiprocessing  # only for -j > 1
    import threading
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context()
    stop = context.Event()
    asked = threading.Event()  # ^C in the parent
    # signals come to the main thread only; a handler the caller set stays in charge
    handle = (threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    previous = None
    with _sigint_held():  # workers forked meanwhile start with ^C held back, then ignore it
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(*initargs, stop))
        futures = {pool.submit(_restore_file, s, t, errors, None, legacy): s for s, t in pairs}
        if handle:  # before the block ends: a ^C held meanwhile comes to this handler
            previous = signal.signal(signal.SIGINT, lambda signum, frame: asked.set())
    recorded = set()
    try:
        try:
            pending = set(futures)
            while pending and not asked.is_set():
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in done:
                    recorded.add(future)
                    record(futures[future], future.result())
        except KeyboardInterrupt:  # raised by a handler of the caller's own
            asked.set()
        if asked.is_set():
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            for future, source in futures.items():  # files finished while stopping count
                if future not in recorded and not future.cancelled() and future.exception() is None:
                    record(source, future.result())
            raise KeyboardInterrupt
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _sigint_held():
    """^C blocked, not ignored: one that comes while the workers are forked and the files
    queued is delivered to the parent when this ends, where ignoring it would lose it
    (a fast first file can finish in that window).  The workers inherit the block and
    ignore ^C (``_init_worker``), which drops one held for them."""
    if not hasattr(signal, "pthread_sigmask"):  # not on every platform: ignoring is what is left
        with _sigint_ignored():
            yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def _sigint_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1
