"""Batch mode of `vnrestore fix`: directory trees, parallel jobs, failures, summary."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from vnrestore import batch, restore
from vnrestore.cli import main

TEXTS = {
    "a.txt": "Cong hoa xa hoi chu nghia Viet Nam\n",
    "b.txt": "Uy ban nhan dan xa bao cao ket qua thuc hien nhiem vu.\n",
    "sub/c.txt": "Doc lap - Tu do - Hanh phuc\r\n",
    "sub/deeper/d.txt": "Nguoi dan tich cuc tham gia xay dung nong thon moi.\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for name, text in TEXTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (root / "notes.md").write_text("khong phai .txt\n", encoding="utf-8")
    return root


def test_tree_is_mirrored_and_restored(tree, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["fix", str(tree), "-o", f"{out}/", "--jobs", "1"]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(TEXTS)  # only *.txt by default
    for name, text in TEXTS.items():
        assert (out / name).read_bytes() == restore(text).encode("utf-8")
    assert "restored 4 files" in capsys.readouterr().err


def test_parallel_jobs_give_the_same_bytes(tree, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["fix", str(tree), "-o", f"{one}/", "--jobs", "1", "-q"]) == 0
    assert main(["fix", str(tree), "-o", f"{two}/", "--jobs", "2", "-q"]) == 0
    for name in TEXTS:
        assert (one / name).read_bytes() == (two / name).read_bytes()


def test_parallel_run_from_another_thread_leaves_sigint_alone(tree, tmp_path):
    """batch.run with workers, called outside the main thread (which alone takes
    signals), runs, and the SIGINT handler is the same before and after."""
    pairs = batch.plan([str(tree)], tmp_path / "out")
    before = signal.getsignal(signal.SIGINT)
    results = []
    worker = threading.Thread(target=lambda: results.append(batch.run(
        pairs, model=None, options=batch.Options(), jobs=2)))
    worker.start()
    worker.join(300)
    assert results and results[0].files == len(TEXTS) and not results[0].interrupted
    assert signal.getsignal(signal.SIGINT) is before
    for name, text in TEXTS.items():
        assert (tmp_path / "out" / name).read_bytes() == restore(text).encode("utf-8")


def test_a_failing_file_is_reported_and_the_rest_done(tree, tmp_path, capsys):
    (tree / "sub" / "broken.txt").write_bytes(b"Cong hoa \xff\n")
    out = tmp_path / "out"
    assert main(["fix", str(tree), "-o", f"{out}/", "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "broken.txt: not valid UTF-8 at byte 9" in err
    assert "restored 4 files" in err and "1 failed" in err
    assert not (out / "sub" / "broken.txt").exists()
    assert not [p for p in out.rglob("*.tmp")]  # no half-written files left behind
    assert all((out / name).is_file() for name in TEXTS)


def test_quiet_prints_nothing(tree, tmp_path, capsys):
    assert main(["fix", str(tree), "-o", f"{tmp_path / 'out'}/", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_files_and_patterns_land_under_their_names(tree, tmp_path):
    out = tmp_path / "out"
    pattern = str(tree / "sub" / "**" / "*.txt")
    assert main(["fix", str(tree / "a.txt"), pattern, "-o", f"{out}/", "-q"]) == 0
    # a pattern keeps the tree below its fixed prefix (sub/)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == ["a.txt", "c.txt", "deeper/d.txt"]


def test_pattern_option_selects_files(tree, tmp_path):
    out = tmp_path / "out"
    assert main(["fix", str(tree), "-o", f"{out}/", "--pattern", "*.md", "-q"]) == 0
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["notes.md"]


def test_directory_input_needs_an_output_directory(tree, capsys):
    assert main(["fix", str(tree)]) == 2
    assert "-o OUTDIR" in capsys.readouterr().err


def test_stdin_cannot_go_to_a_directory(tmp_path, capsys):
    assert main(["fix", "-", "-o", f"{tmp_path}/"]) == 2
    assert "stdin" in capsys.readouterr().err


def test_two_inputs_for_one_output_are_refused(tree, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("a\n", encoding="utf-8")
    with pytest.raises(Exception, match=f"{tree / 'a.txt'} and {other / 'a.txt'} would both be written"):
        batch.plan([str(tree / "a.txt"), str(other / "a.txt")], tmp_path / "out")
