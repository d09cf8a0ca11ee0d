"""Progress through tqdm: by bytes, with percentage and ETA, for batches and one big
file; only on a terminal; never "1 tokens"."""

from __future__ import annotations

import io
import re
import sys

import pytest

from vnrestore import batch, progress
from vnrestore.cli import main


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_batch_progress_is_by_bytes_with_files_and_tokens(tmp_path):
    sources = []
    for name, size in (("a.txt", 3000), ("b.txt", 1000)):
        path = tmp_path / name
        path.write_text("x" * (size - 1) + "\n", encoding="utf-8")
        sources.append(path)
    stream = io.StringIO()
    bar = progress.BatchProgress(sources, stream)
    bar(batch.BatchResult(files=1, tokens=300), 2, sources[0])
    bar.bar.refresh()
    shown = stream.getvalue().split("\r")[-1]
    assert "75%" in shown and "3.00kB/4.00kB" in shown  # 3,000 of 4,000 bytes
    assert "1/2 files" in shown and "tokens/s" in shown
    assert re.search(r"<\d\d:\d\d", shown)  # the ETA
    bar.close()


def test_one_file_is_tracked_by_bytes(tmp_path):
    path = tmp_path / "big.txt"
    lines = [f"dong {i}\n" for i in range(1000)]
    path.write_text("".join(lines), encoding="utf-8")
    stream = io.StringIO()
    tracked = progress.track_lines(iter(lines[:500]), str(path), stream)
    assert list(tracked) == lines[:500]  # the lines themselves are not touched
    total = path.stat().st_size
    assert f"/{total / 1000:.2f}kB" in stream.getvalue() or f"/{total / 1000:.1f}kB" in stream.getvalue()


def test_plural():
    assert progress.plural(1, "token") == "1 token" and progress.plural(2, "file") == "2 files"
    summary = batch.BatchResult(files=1, tokens=1, seconds=1.0).summary()
    assert summary.startswith("restored 1 file, 1 token in")


@pytest.mark.parametrize("quiet, terminal, shown", [(False, True, True), (True, True, False),
                                                   (False, False, False)])
def test_fix_shows_progress_only_on_a_terminal(tmp_path, monkeypatch, quiet, terminal, shown):
    source = tmp_path / "in.txt"
    source.write_text("Toi di hoc\n" * 200, encoding="utf-8")
    err = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    args = ["fix", str(source), "-o", str(tmp_path / "out.txt")] + (["--quiet"] if quiet else [])
    assert main(args) == 0
    assert ("in.txt" in err.getvalue() and "B/s" in err.getvalue()) == shown
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "Tôi đi học\n" * 200
    # a tree: the batch bar
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("Toi di hoc\n", encoding="utf-8")
    err.seek(0)
    err.truncate()
    assert main(["fix", str(tree), "-o", f"{tmp_path / 'outdir'}/", "--jobs", "1"]
                + (["--quiet"] if quiet else [])) == 0
    assert ("restoring" in err.getvalue() and "B/11.0B" in err.getvalue() and "/1 file" in err.getvalue()) == shown


def test_no_bar_when_writing_to_stdout(tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.txt"
    source.write_text("Toi di hoc\n", encoding="utf-8")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["fix", str(source)]) == 0
    assert err.getvalue() == ""
