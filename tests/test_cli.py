"""The command line, run in-process through ``main`` (plus one real subprocess)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import unicodedata

import pytest

import vnrestore
from vnrestore import cli
from vnrestore.cli import main
from vnrestore.model import Model

ANTHEM = "Cong hoa xa hoi chu nghia Viet Nam\n"
ANTHEM_RESTORED = "Cộng hòa xã hội chủ nghĩa Việt Nam\n"


def plain(text: str) -> str:
    """Text with its Vietnamese diacritics removed, to compare an output with its input."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def write(tmp_path, text: str | bytes, name: str = "input.txt") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, *fragments: str) -> None:
    assert err.startswith("vnrestore: ") and err.endswith("\n") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


# -- fix ------------------------------------------------------------------------------
def test_fix_restores_a_file(tmp_path, capsys):
    code, out, err = run(capsys, "fix", write(tmp_path, ANTHEM))
    assert (code, out, err) == (0, ANTHEM_RESTORED, "")


def test_fix_reads_stdin(capsys, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(ANTHEM.encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    assert run(capsys, "fix", "-") == (0, ANTHEM_RESTORED, "")


def test_fix_writes_several_files_in_order(tmp_path, capsys):
    first = write(tmp_path, "Doc lap tu do hanh phuc\n", "a.txt")
    second = write(tmp_path, ANTHEM, "b.txt")
    code, out, _ = run(capsys, "fix", first, second)
    assert code == 0
    assert out == "Độc lập tự do hạnh phúc\n" + ANTHEM_RESTORED


def test_fix_output_file(tmp_path, capsys):
    target = tmp_path / "out" / "result.txt"
    target.parent.mkdir()
    code, out, err = run(capsys, "fix", write(tmp_path, ANTHEM), "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == ANTHEM_RESTORED
    assert [p.name for p in target.parent.iterdir()] == ["result.txt"]  # no temporary left


def test_fix_output_file_may_be_the_input(tmp_path, capsys):
    path = write(tmp_path, ANTHEM)
    assert run(capsys, "fix", path, "-o", path)[0] == 0
    assert (tmp_path / "input.txt").read_text(encoding="utf-8") == ANTHEM_RESTORED


def test_failed_fix_leaves_output_file_untouched(tmp_path, capsys):
    target = tmp_path / "result.txt"
    target.write_text("before", encoding="utf-8")
    # (jsonl: one stream, so two inputs still go to one file)
    code, _, err = run(capsys, "fix", "--format", "jsonl", write(tmp_path, ANTHEM), str(tmp_path / "absent.txt"),
                       "-o", str(target))
    assert code == 1
    assert_one_error_line(err, "absent.txt")
    assert target.read_text(encoding="utf-8") == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.txt", "result.txt"]


def test_output_in_missing_directory(tmp_path, capsys):
    target = tmp_path / "nowhere" / "out.txt"
    code, _, err = run(capsys, "fix", write(tmp_path, ANTHEM), "-o", str(target))
    assert code == 1
    assert err == f"vnrestore: {target}: No such file or directory\n"


def test_old_style_places_tone_on_the_first_vowel(tmp_path, capsys):
    code, out, _ = run(capsys, "fix", "--style", "old", write(tmp_path, "Cong hoa\n"))
    assert (code, out) == (0, "Cộng hoà\n")


def test_crlf_line_ends_preserved_byte_for_byte(tmp_path, capsys):
    source = "\ufeffCong hoa xa hoi chu nghia Viet Nam\r\nDoc lap tu do hanh phuc\r\n\r\nHa Noi\r"
    target = tmp_path / "out.txt"
    assert run(capsys, "fix", write(tmp_path, source), "-o", str(target))[0] == 0
    result = target.read_bytes()
    assert result.count(b"\r\n") == 3 and result.endswith("Hà Nội\r".encode())
    assert result.decode("utf-8") == ("\ufeffCộng hòa xã hội chủ nghĩa Việt Nam\r\n"
                                      "Độc lập tự do hạnh phúc\r\n\r\nHà Nội\r")


def test_stdout_gets_bytes_unchanged(tmp_path, capsysbinary):
    source = "Viet Nam\r\n".encode()
    assert main(["fix", write(tmp_path, source)]) == 0
    assert capsysbinary.readouterr().out == "Việt Nam\r\n".encode()


def test_empty_file_gives_empty_output(tmp_path, capsys):
    assert run(capsys, "fix", write(tmp_path, "")) == (0, "", "")


def test_three_megabyte_single_line(tmp_path):
    sentences = ["Cong hoa xa hoi chu nghia Viet Nam. ", "Doc lap tu do hanh phuc. ",
                 "Chung toi di hoc o truong. "]
    source = "".join(sentences[i % 3] for i in range(110_000))  # ~3.2 MB, one line
    assert len(source) > 3_000_000 and "\n" not in source
    target = tmp_path / "out.txt"
    assert main(["fix", write(tmp_path, source), "-o", str(target)]) == 0
    result = target.read_text(encoding="utf-8")
    assert plain(result) == source
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập tự do hạnh phúc. " in result
    # Nothing was lost or doubled where the line was cut into pieces.
    assert result.count("Cộng hòa xã hội chủ nghĩa Việt Nam.") == source.count("Cong hoa xa hoi")


# -- input errors ---------------------------------------------------------------------
def test_invalid_utf8_reports_file_and_byte_offset(tmp_path, capsys):
    prefix = ("Viet Nam " * 10_000).encode()  # puts the bad byte beyond the first chunk
    path = write(tmp_path, prefix + b"\xff tail\n")
    code, out, err = run(capsys, "fix", path)
    assert code == 1
    assert_one_error_line(err, path, f"at byte {len(prefix)} ", "--errors replace")


def test_errors_replace(tmp_path, capsys):
    source = ANTHEM.encode().replace(b" Nam", b" Nam \xff")
    code, out, err = run(capsys, "fix", "--errors", "replace", write(tmp_path, source))
    assert (code, err) == (0, "")
    assert out == ANTHEM_RESTORED.replace(" Nam", " Nam \ufffd")


def test_binary_file_is_refused(tmp_path, capsys):
    path = write(tmp_path, b"Viet Nam\x00\x01\x02")
    code, out, err = run(capsys, "fix", path)
    assert (code, out) == (1, "")
    assert err == f"vnrestore: {path}: looks like a binary file, not text\n"


def test_missing_file(tmp_path, capsys):
    path = str(tmp_path / "absent.txt")
    code, out, err = run(capsys, "fix", path)
    assert (code, out) == (1, "")
    assert err == f"vnrestore: {path}: No such file or directory\n"


def test_bad_model_directory(tmp_path, capsys):
    code, _, err = run(capsys, "fix", "--model", str(tmp_path), write(tmp_path, ANTHEM))
    assert code == 1
    assert_one_error_line(err, "model.json")


def test_interrupt_exits_130_and_removes_temporary(tmp_path, capsys, monkeypatch):
    def interrupted(path, errors):
        raise KeyboardInterrupt
        yield  # a generator, like read_lines

    monkeypatch.setattr(cli, "read_lines", interrupted)
    target = tmp_path / "out.txt"
    code, _, err = run(capsys, "fix", write(tmp_path, ANTHEM), "-o", str(target))
    assert (code, err) == (130, "")
    assert [p.name for p in tmp_path.iterdir()] == ["input.txt"]


def test_broken_pipe_exits_quietly(tmp_path, capsys, monkeypatch):
    class ClosedPipe:
        def write(self, data):
            raise BrokenPipeError

        def flush(self):
            pass

    class Stdout:
        buffer = ClosedPipe()

        def flush(self):
            pass

    path = write(tmp_path, ANTHEM)
    monkeypatch.setattr(sys, "stdout", Stdout())
    assert main(["fix", path]) == 0
    assert capsys.readouterr().err == ""


# -- usage ----------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["fix", "x.txt", "--style", "modern"],
                                  ["fix", "x.txt", "--errors", "ignore"], ["explain", "x.txt", "--format", "csv"],
                                  ["build-model", "--out", "m"], ["build-model", "--corpus", "c", "--out", "m",
                                                                  "--cutoff", "three"]])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "usage: vnrestore" in err


@pytest.mark.parametrize("command", ["fix", "explain", "info", "build-model"])
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and f"usage: vnrestore {command}" in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"vnrestore {vnrestore.__version__}\n")


# -- explain --------------------------------------------------------------------------
TEXT_ROW = re.compile(r"^(\d+):(\d+) +([ ?]) (\S+) -> (\S+)  (\d\.\d\d)  (\(.*\)|\[\w+\])$")


def test_explain_text(tmp_path, capsys):
    code, out, err = run(capsys, "explain", write(tmp_path, "Cong hoa\r\nxin chao Viet Nam\n"))
    assert (code, err) == (0, "")
    rows = [TEXT_ROW.match(line) for line in out.splitlines()]
    assert all(rows), out
    by_input = {row[4]: row for row in rows}
    cong, viet = by_input["Cong"], by_input["Viet"]
    assert (cong[1], cong[2], cong[5]) == ("1", "1", "Cộng")
    assert (viet[1], viet[2], viet[5]) == ("2", "10", "Việt")
    for row in rows:  # the "?" column agrees with the confidence printed
        assert (row[3] == "?") == (float(row[6]) < cli.LOW_CONFIDENCE)
        assert row[7].startswith("(") and row[5] in row[7]


def test_explain_all_lists_every_word(tmp_path, capsys):
    path = write(tmp_path, "Toi dung Python 3 o Việt Nam\n")
    inputs = [TEXT_ROW.match(line)[4] for line in run(capsys, "explain", "--all", path)[1].splitlines()]
    assert inputs == ["Toi", "dung", "Python", "o", "Việt", "Nam"]
    restored_only = [TEXT_ROW.match(line)[4] for line in run(capsys, "explain", path)[1].splitlines()]
    assert set(restored_only) < set(inputs) and "Python" not in restored_only


def test_explain_jsonl(tmp_path, capsys):
    text = "Cong hoa\nxa hoi chu nghia\n"
    code, out, _ = run(capsys, "explain", "--format", "jsonl", write(tmp_path, text))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["input"] for r in records] == ["Cong", "hoa", "xa", "hoi", "chu", "nghia"]
    assert [r["line"] for r in records] == [1, 1, 2, 2, 2, 2]
    expected = {c.start: c.as_dict() for c in vnrestore.explain(text)}
    for record in records:
        assert text[record["start"]:record["end"]] == record["input"]
        want = expected[record["start"]]
        assert {k: record[k] for k in want if k != "alternatives"} == {k: v for k, v in want.items() if k != "alternatives"}
        # the top 3 alternatives with probability at least 0.01 (schema.TOP, MIN_PROBABILITY)
        assert record["alternatives"] == [a for a in want["alternatives"][:3] if a[1] >= 0.01]
    assert records[0]["output"] == "Cộng"


# -- info -----------------------------------------------------------------------------
def test_info_shows_model_facts(capsys):
    meta = Model.load().meta
    code, out, _ = run(capsys, "info")
    assert code == 0
    assert f"{meta['vocab_size']:,}" in out
    assert f"order:          {meta['order']}" in out
    for entry in meta["inputs"]:
        assert f"{entry['file']}  sha256 {entry['sha256'][:12]}" in out
    assert re.search(r"lm\.bin \d+\.\d MB", out)


# -- build-model ----------------------------------------------------------------------
# Written for this test: simple everyday sentences, with phrases repeated so that every
# n-gram order has counts of 1 to 4 (the discount estimates need them).
CORPUS = """\
Hôm nay trời đẹp, chúng tôi đi học sớm.
Mẹ tôi nấu cơm rất ngon.
Chúng tôi đi học bằng xe đạp.
Trời hôm nay mưa to, đường rất trơn.
Bố tôi làm việc ở nhà máy.
Em gái tôi thích đọc sách.
Chúng tôi đọc sách ở thư viện.
Thư viện trường tôi có nhiều sách hay.
Mẹ tôi đi chợ mua rau và cá.
Hôm nay chúng tôi học toán và tiếng Việt.
Bố tôi đọc báo mỗi sáng.
Em gái tôi học lớp ba.
Nhà tôi ở gần trường học.
Trường học của chúng tôi rất đẹp.
Buổi sáng tôi đi bộ đến trường.
Buổi chiều chúng tôi chơi bóng đá.
Mẹ tôi nói rằng trời sắp mưa.
Tôi thích ăn cơm với cá.
Bạn tôi sống ở thành phố Hà Nội.
Thành phố Hà Nội có nhiều hồ đẹp.
Chúng tôi đi chơi ở hồ vào cuối tuần.
Cuối tuần bố tôi nghỉ làm.
Tôi giúp mẹ nấu cơm.
Em gái tôi giúp bố tưới cây.
Cây trong vườn nhà tôi rất xanh.
Học sinh trong lớp tôi rất chăm chỉ.
Cô giáo dạy chúng tôi đọc và viết.
Chúng tôi yêu quý cô giáo.
Tôi đi ngủ sớm để sáng mai đi học.
Ngày mai chúng tôi đi học sớm.
"""


def test_build_model_then_fix_with_it(tmp_path, capsys):
    corpus = write(tmp_path, CORPUS, "corpus.txt")
    model_dir = tmp_path / "model"
    assert main(["build-model", "--corpus", corpus, "--out", str(model_dir), "--order", "3"]) == 0
    assert {"model.json", "vocab.tsv", "lm.bin"} <= {p.name for p in model_dir.iterdir()}
    capsys.readouterr()

    source = "Chung toi di hoc som. Me toi nau com.\n"
    code, out, err = run(capsys, "fix", "--model", str(model_dir), write(tmp_path, source))
    assert (code, err) == (0, "")
    assert out and plain(out) == source
    assert "tôi" in out

    code, out, _ = run(capsys, "info", "--model", str(model_dir))
    assert code == 0 and f"model:          {model_dir}" in out


def test_build_model_missing_corpus(tmp_path, capsys):
    code, _, err = run(capsys, "build-model", "--corpus", str(tmp_path / "absent.txt"), "--out", str(tmp_path / "m"))
    assert code == 1
    assert_one_error_line(err, "absent.txt")


# -- the installed entry point ----------------------------------------------------------
def test_python_dash_m_runs_fix(tmp_path):
    path = write(tmp_path, ANTHEM)
    result = subprocess.run([sys.executable, "-m", "vnrestore", "fix", path],
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == ANTHEM_RESTORED
