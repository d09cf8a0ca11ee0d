"""Ctrl-C in a `vnrestore fix DIR -o OUT/ --jobs N` batch: stop promptly, leave no
temporary files, say how many files were done, exit 130.

The run is a real process in its own process group, sent SIGINT with os.killpg as a
terminal's ^C would be (to the parent and its workers alike)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnrestore import batch
from vnrestore.pipeline import Options

LINE = "Uy ban nhan dan xa bao cao ket qua thuc hien nhiem vu phat trien kinh te xa hoi nam nay.\n"
FILES = 48


@pytest.fixture
def big_tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    # About a second of work a file with the compiled decoder, half a minute for the whole
    # batch on two workers: the ^C must come while it runs even if this test process is
    # not scheduled for many seconds on a loaded machine (with 1,600 lines a file the
    # batch sometimes finished first).
    for i in range(FILES):
        (root / f"doc{i:02d}.txt").write_text(LINE * 8000, encoding="utf-8")
    return root


def _as_from_a_terminal() -> None:
    """^C as a terminal's shell leaves it: a test run started in the background of a
    script (`pytest &`) ignores SIGINT, and its children would inherit that and rightly
    keep ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_sigint_to_the_process_group_stops_a_parallel_batch(big_tree, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "vnrestore", "fix", str(big_tree), "-o", f"{out}/",
                             "--jobs", "2"], stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_as_from_a_terminal)
    try:
        deadline = time.monotonic() + 300
        while not (out.is_dir() and any(out.glob("*.txt"))):  # running: a first file is done
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no file restored in 300 s"
            time.sleep(0.05)
        done_at_signal = len(list(out.glob("*.txt")))
        os.killpg(proc.pid, signal.SIGINT)
        signalled = time.monotonic()
        _, err = proc.communicate(timeout=120)
        stopped_after = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    lines = err.decode("utf-8").strip().splitlines()
    assert proc.returncode == 130, lines
    assert len(lines) == 1, lines
    match = re.fullmatch(rf"vnrestore: interrupted: (\d+) of {FILES} files done; the others not written", lines[0])
    assert match, lines
    written = sorted(p.name for p in out.iterdir())
    assert not [name for name in written if name.endswith(".tmp")], written
    assert int(match.group(1)) == len(written)
    # The workers finish or drop the file they have, and take no other.
    assert len(written) <= done_at_signal + 2 < FILES
    assert stopped_after < 60


def test_interrupted_sequential_run_reports_what_was_done(big_tree, tmp_path, monkeypatch):
    """--jobs 1: a ^C in the middle of the third file; the first two count, no temporary."""
    pairs = batch.plan([str(big_tree)], tmp_path / "out")
    real = batch._restore_file
    calls = []

    def restore_file(source, target, *args):
        calls.append(source)
        if len(calls) == 3:
            def interrupted(lines):
                yield "half"
                raise KeyboardInterrupt
            restorer = args[1]
            monkeypatch.setattr(restorer, "restore_lines", interrupted)
        return real(source, target, *args)

    monkeypatch.setattr(batch, "_restore_file", restore_file)
    result = batch.run(pairs, model=None, options=Options(), jobs=1)
    assert result.interrupted and result.files == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["doc00.txt", "doc01.txt"]
    assert result.interruption(len(pairs)) == f"interrupted: 2 of {FILES} files done; the others not written"
