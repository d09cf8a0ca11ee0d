"""Command-line habits (stdin, -o directories, --help) and the documented JSONL schema."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from vnrestore import restore
from vnrestore.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
OCR_LINE = "Toi d6i v&i 1am viec cua x3 nay\n"


class Pipe:
    """A stdin that is not a terminal, holding `text`."""

    def __init__(self, text: str, tty: bool = False):
        self.buffer = io.BytesIO(text.encode())
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


# -- stdin ------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["fix", "explain"])
def test_no_file_reads_piped_stdin(capsys, monkeypatch, command):
    monkeypatch.setattr(sys, "stdin", Pipe("Cong hoa xa hoi\n"))
    code, out, err = run(capsys, command)
    assert (code, err) == (0, "")
    assert ("Cộng hòa xã hội\n" == out) if command == "fix" else ("hoa -> hòa" in out)


def test_no_file_from_a_terminal_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Pipe("", tty=True))
    code, out, err = run(capsys, "fix")
    assert code == 2 and out == ""
    assert "no FILE given and stdin is a terminal" in err


def test_echo_pipe_in_a_real_process():
    import subprocess
    result = subprocess.run([sys.executable, "-m", "vnrestore", "fix"], input="Toi di hoc\n".encode(),
                            capture_output=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Tôi đi học\n".encode(), b"")


# -- -o as a directory ------------------------------------------------------------------
def test_several_inputs_with_o_make_a_directory(tmp_path, capsys):
    a = write(tmp_path, "a.txt", "Toi di hoc\n")
    b = write(tmp_path, "b.txt", "Cong hoa\n")
    out = tmp_path / "new" / "out"  # neither exists, no trailing slash
    assert main(["fix", a, b, "-o", str(out), "-q"]) == 0
    assert (out / "a.txt").read_text(encoding="utf-8") == "Tôi đi học\n"
    assert (out / "b.txt").read_text(encoding="utf-8") == "Cộng hòa\n"


def test_directory_input_with_o_makes_the_directory(tmp_path):
    write(tmp_path, "in/x/a.txt", "Toi di hoc\n")
    out = tmp_path / "out"
    assert main(["fix", str(tmp_path / "in"), "-o", str(out), "-q"]) == 0
    assert (out / "x" / "a.txt").read_text(encoding="utf-8") == "Tôi đi học\n"


def test_several_inputs_into_an_existing_file_is_refused(tmp_path, capsys):
    a, b = write(tmp_path, "a.txt", "a\n"), write(tmp_path, "b.txt", "b\n")
    target = write(tmp_path, "out.txt", "before")
    code, _, err = run(capsys, "fix", a, b, "-o", target)
    assert code == 2 and "this is a file" in err
    assert Path(target).read_text() == "before"


def test_clash_names_both_inputs(tmp_path, capsys):
    a = write(tmp_path, "one/a.txt", "a\n")
    b = write(tmp_path, "two/a.txt", "b\n")
    code, _, err = run(capsys, "fix", a, b, "-o", str(tmp_path / "out"))
    assert code == 1
    assert f"{a} and {b} would both be written to" in err and err.count("\n") == 1


# -- --help -----------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["fix", "explain", "review", "info", "build-model"])
def test_help_shows_examples_and_exit_codes(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    examples = out[out.index("examples:"):out.index("exit status:")]
    assert f"vnrestore {command}" in examples
    for status in ("0", "1", "2", "130"):
        assert re.search(rf"^  {status} ", out, re.MULTILINE), status


# -- JSONL schema -----------------------------------------------------------------------
def readme_fields(title: str) -> list[str]:
    """The field names of the README table that follows the paragraph `title`."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## JSONL output"):]
    section = section[:section.index("\n## ")]
    table = section[section.index(title):].split("\n\n")[1]
    return [m[1] for m in re.finditer(r"^\| `(\w+)` \|", table, re.MULTILINE)]


@pytest.mark.skipif(not README.exists(), reason="an installed copy of the tests")
def test_readme_schema_matches_the_output(tmp_path, capsys):
    path = write(tmp_path, "in.txt", "Cong hoa\n" + OCR_LINE)
    _, out, _ = run(capsys, "fix", "--format", "jsonl", "--mode", "ocr", path)
    lines = [json.loads(line) for line in out.splitlines()]
    _, out, _ = run(capsys, "explain", "--format", "jsonl", "--mode", "ocr", path)
    words = [json.loads(line) for line in out.splitlines()]
    line_fields, word_fields = readme_fields("Line record"), readme_fields("Word record")
    assert len(line_fields) == 7 and len(word_fields) == 13
    assert all(list(record) == line_fields for record in lines)
    assert words and all(list(record) == word_fields for record in words)
    assert all(list(w) == word_fields for record in lines for w in record["words"])
    assert {record["version"] for record in lines + words} == {1}


def test_offsets_count_from_the_input_for_both_commands(tmp_path, capsys):
    text = "Cong hoa\r\nxa hoi chu nghia\n\nViet Nam"
    path = write(tmp_path, "in.txt", text)
    _, out, _ = run(capsys, "fix", "--format", "jsonl", path)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["start"] for r in lines] == [0, 10, 27, 28]
    from_fix = [w for r in lines for w in r["words"]]
    for w in from_fix:
        assert text[w["start"]:w["end"]] == w["input"]
    _, out, _ = run(capsys, "explain", "--format", "jsonl", "--all", path)
    from_explain = [json.loads(line) for line in out.splitlines()]
    assert [(w["start"], w["end"], w["line"], w["column"]) for w in from_explain] == \
        [(w["start"], w["end"], w["line"], w["column"]) for w in from_fix]
    assert lines[0]["changed"] and not lines[2]["changed"] and lines[2]["words"] == []


def test_alternatives_are_top_k_above_a_threshold(tmp_path, capsys):
    path = write(tmp_path, "in.txt", "Toi di hoc o truong\n")
    _, out, _ = run(capsys, "explain", "--format", "jsonl", path)
    records = [json.loads(line) for line in out.splitlines()]
    assert all(1 <= len(r["alternatives"]) <= 3 for r in records)
    assert all(p >= 0.01 for r in records for _, p in r["alternatives"])
    _, out, _ = run(capsys, "explain", "--format", "jsonl", "--top", "1", "--min-probability", "0", path)
    assert all(len(json.loads(line)["alternatives"]) == 1 for line in out.splitlines())
    _, text_out, _ = run(capsys, "explain", path)  # the text output shows the same top 3
    for record, row in zip(records, text_out.splitlines()):
        shown = re.search(r"\((.*)\)$", row)[1].split(", ")
        assert [s.rsplit(" ", 1)[0] for s in shown] == [form for form, _ in record["alternatives"]]


def test_ocr_repairs_are_listed(tmp_path, capsys):
    # d6i, v&i, 1am are tokenized as codes but repaired as words (issue 9 item 5).
    path = write(tmp_path, "in.txt", OCR_LINE)
    for argv in (["explain", "--mode", "ocr", "--format", "jsonl", path],
                 ["explain", "--mode", "ocr", "--all", "--format", "jsonl", path]):
        _, out, _ = run(capsys, *argv)
        repaired = {r["input"]: r["output"] for r in map(json.loads, out.splitlines())}
        assert repaired["d6i"] == "đối" and repaired["v&i"] == "với" and repaired["1am"] == "làm"
    _, out, _ = run(capsys, "fix", "--mode", "ocr", "--format", "jsonl", path)
    (record,) = [json.loads(line) for line in out.splitlines()]
    words = {w["input"]: w for w in record["words"]}
    assert words["d6i"]["output"] == "đối" and words["d6i"]["kind"] == "code" and words["d6i"]["changed"]
    _, out, _ = run(capsys, "explain", "--mode", "ocr", path)
    assert "d6i -> đối" in out and "1am -> làm" in out


# -- records ----------------------------------------------------------------------------
def test_jsonl_field(tmp_path, capsys):
    rows = ['{"id": 1, "meta": {"title": "Cong hoa", "n": 2}, "body": "Toi di hoc"}\n',
            '{"id":2,"meta":{"title":"x"}}\n',             # unchanged: copied byte for byte
            '\n',
            '{"id": 3, "meta": {"title": null}}\r\n',       # not a string: unchanged
            '{"id": 4}\n',                                  # missing: unchanged
            '{"meta.title": "Viet Nam", "meta": {"title": "Ha Noi"}}']  # literal key first
    path = write(tmp_path, "in.jsonl", "".join(rows))
    code, out, err = run(capsys, "fix", "--jsonl-field", "meta.title", path)
    assert (code, err) == (0, "")
    got = out.splitlines(keepends=True)
    assert json.loads(got[0]) == {"id": 1, "meta": {"title": "Cộng hòa", "n": 2}, "body": "Toi di hoc"}
    assert list(json.loads(got[0])) == ["id", "meta", "body"]
    assert got[1:5] == rows[1:5]
    assert json.loads(got[5]) == {"meta.title": "Việt Nam", "meta": {"title": "Ha Noi"}}
    assert not got[5].endswith("\n")


def test_jsonl_field_bad_line_is_one_error(tmp_path, capsys):
    path = write(tmp_path, "in.jsonl", '{"t": "a"}\n{"t": \n')
    code, _, err = run(capsys, "fix", "--jsonl-field", "t", path)
    assert code == 1 and err.startswith(f"vnrestore: {path}: line 2: not valid JSON") and err.count("\n") == 1


@pytest.mark.parametrize("name, text, expected", [
    ("in.csv", 'id,comment\r\n1,Toi di hoc\r\n2,"Cong hoa, xa hoi"\r\n',
     'id,comment\r\n1,Tôi đi học\r\n2,"Cộng hòa, xã hội"\r\n'),
    ("in.csv", "id;comment\n1;Toi di hoc\n2;Cong hoa\n", "id;comment\n1;Tôi đi học\n2;Cộng hòa\n"),
    ("in.tsv", "comment\tid\nToi di hoc\t1\n", "comment\tid\nTôi đi học\t1\n"),
])
def test_csv_column(tmp_path, capsysbinary, name, text, expected):
    path = write(tmp_path, name, text)
    assert main(["fix", "--csv-column", "comment", path]) == 0
    assert capsysbinary.readouterr().out.decode() == expected


def test_csv_missing_column(tmp_path, capsys):
    path = write(tmp_path, "in.csv", "a,b\n1,2\n")
    code, _, err = run(capsys, "fix", "--csv-column", "c", path)
    assert code == 1 and "no column 'c' (columns: a, b)" in err


def test_pandas_series_and_column():
    pd = pytest.importorskip("pandas")
    from vnrestore import records
    series = pd.Series(["Toi di hoc", None, 3, "Cong hoa"], index=[10, 11, 12, 13], name="t")
    got = records.restore_series(series)
    assert list(got.index) == [10, 11, 12, 13] and got.name == "t"
    assert got[10] == "Tôi đi học" and got[11] is None and got[12] == 3 and got[13] == restore("Cong hoa")
    frame = pd.DataFrame({"id": [1, 2], "title": ["Viet Nam", "Ha Noi"]})
    out = records.restore_column(frame, "title")
    assert list(out["title"]) == ["Việt Nam", "Hà Nội"] and list(frame["title"]) == ["Viet Nam", "Ha Noi"]
    with pytest.raises(ValueError, match="column 'x'"):
        records.restore_column(frame, "x")
    with pytest.raises(TypeError, match="series"):
        records.restore_series(["a"])


def test_dask_dataframe_column():
    pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd
    from vnrestore import records
    frame = dd.from_pandas(pd.DataFrame({"title": ["Viet Nam", "Ha Noi", "Toi di hoc"]}), npartitions=2)
    out = records.restore_column(frame, "title").compute(scheduler="sync")
    assert list(out["title"]) == ["Việt Nam", "Hà Nội", "Tôi đi học"]


def test_dask_like_frames_are_restored_partition_by_partition():
    # The Dask branch without Dask's dataframe extra (it needs pyarrow): any object with
    # map_partitions/npartitions is handled as Dask handles it.
    pd = pytest.importorskip("pandas")
    from vnrestore import records

    class Partitioned:
        npartitions = 2

        def __init__(self, parts):
            self.parts = parts
            self._meta = parts[0].iloc[:0]

        def map_partitions(self, func, *args, meta=None, **kw):
            assert meta is self._meta
            return [func(part, *args, **kw) for part in self.parts]

    frame = Partitioned([pd.DataFrame({"t": ["Viet Nam"]}), pd.DataFrame({"t": ["Ha Noi"]})])
    assert [list(p["t"]) for p in records.restore_column(frame, "t")] == [["Việt Nam"], ["Hà Nội"]]
    with pytest.raises(ValueError, match="restorer"):
        records.restore_column(frame, "t", restorer=object())
