"""`-o PATH` never replaces what is not a regular file (textio.atomic_output's policy).

CI runs as root, where replacing a device or a link succeeds silently: these tests make
their own device node, FIFO and links in a temporary directory (never the machine's
/dev/null or /dev/stdout, which a regression would destroy)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from vnrestore import restore
from vnrestore.cli import main
from vnrestore.textio import atomic_output

TEXT = "Cong hoa xa hoi chu nghia Viet Nam\n"
is_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (as CI runs) to make a device node")


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def leftovers(directory) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


@is_root
def test_character_device_is_written_through_not_replaced(tmp_path, source):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    assert main(["fix", str(source), "-o", str(null)]) == 0
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert leftovers(tmp_path) == []


def test_fifo_reader_gets_the_output_and_the_fifo_stays(tmp_path, source):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        assert main(["fix", str(source), "-o", str(fifo)]) == 0
        out, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
    assert out.decode("utf-8") == restore(TEXT)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_stays_a_link_and_its_file_is_replaced(tmp_path, source):
    real = tmp_path / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    assert main(["fix", str(source), "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == "real.txt"
    assert real.read_text(encoding="utf-8") == restore(TEXT)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_dangling_symlink_creates_its_file(tmp_path, source):
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.txt"
    link.symlink_to("sub/new.txt")
    assert main(["fix", str(source), "-o", str(link)]) == 0
    assert link.is_symlink()
    assert (tmp_path / "sub" / "new.txt").read_text(encoding="utf-8") == restore(TEXT)


def test_link_to_a_process_stdout_is_written_through(tmp_path, source):
    """-o LINK where LINK -> /proc/self/fd/1, as /dev/stdout is: the data reaches the pipe
    and the link survives (before, the link was replaced by a file and stdout got nothing)."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = subprocess.run([sys.executable, "-m", "vnrestore", "fix", str(source), "-o", str(link)],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == restore(TEXT)
    assert link.is_symlink()


def test_stdout_link_reaches_a_regular_file_redirect_without_replacing_it(tmp_path, source):
    """`vnrestore fix -o /dev/stdout >> log` (a link to /proc/self/fd/1 made here, not the
    machine's /dev/stdout): appended to the shell's file, not swapped for a new one."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    log.write_text("header\n", encoding="utf-8")
    with open(log, "ab") as handle:
        proc = subprocess.run([sys.executable, "-m", "vnrestore", "fix", str(source), "-o", str(link)],
                              stdout=handle, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert log.read_text(encoding="utf-8") == "header\n" + restore(TEXT)
    assert link.is_symlink()


def test_regular_file_is_still_replaced_atomically(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    inode = target.stat().st_ino
    with pytest.raises(RuntimeError):
        with atomic_output(target) as out:
            out.write(b"half")
            raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old" and leftovers(tmp_path) == []
    with atomic_output(target) as out:
        out.write(b"new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_ino != inode  # a new file renamed over the old one


@is_root
def test_owner_is_kept_when_root_replaces_a_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    os.chown(target, 1234, 1234)
    with atomic_output(target) as out:
        out.write(b"new")
    assert (target.stat().st_uid, target.stat().st_gid) == (1234, 1234)


def test_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        with atomic_output(tmp_path):
            pass


def test_output_dir_slash_on_an_existing_file_says_so(tmp_path, source, capsys):
    existing = tmp_path / "existing_file.txt"
    existing.write_text("keep\n", encoding="utf-8")
    assert main(["fix", str(source), "-o", f"{existing}/"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "existing_file.txt" in err[0] and "not a directory" in err[0]
    assert "File exists" not in err[0]
    assert existing.read_text(encoding="utf-8") == "keep\n"
