"""A damaged model directory is one ModelError naming the file and the field (one line
from the CLI), never a KeyError/TypeError/AttributeError or a traceback: model.json is
checked whole (metacheck), the OCR error table is read from the model directory in use
and checked at load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vnrestore import ModelError
from vnrestore.cli import main
from vnrestore.model import Model, default_model_dir, file_sha256

SHIPPED = default_model_dir()
OCR_TABLE = SHIPPED / "ocr-confusions.tsv"


@pytest.fixture
def model_dir(tmp_path) -> Path:
    """A copy of the shipped model: its files linked, model.json copied to be edited; the
    OCR table left out (and its hash unrecorded), for the tests to write their own."""
    directory = tmp_path / "model"
    directory.mkdir()
    meta = json.loads((SHIPPED / "model.json").read_text(encoding="utf-8"))
    meta["files"].pop("ocr-confusions.tsv", None)
    for name in meta["files"]:
        (directory / name).symlink_to(SHIPPED / name)
    (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    return directory


def edit_meta(directory: Path, change) -> None:
    path = directory / "model.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta = change(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


def drop(key):
    return lambda m: {k: v for k, v in m.items() if k != key}


def set_array(name, field, value):
    def change(m):
        m["arrays"][name][field] = value
        return m
    return change


CASES = {
    "not an object": (lambda m: [m], "expected a JSON object"),
    "no files": (drop("files"), "'files' is missing"),
    "no arrays": (drop("arrays"), "'arrays' is missing"),
    "no order": (drop("order"), "'order' is missing"),
    "order as text": (lambda m: {**m, "order": "3"}, "'order' must be a whole number"),
    "order beyond arrays": (lambda m: {**m, "order": 4}, "'arrays' lacks offsets4"),
    "arrays as list": (lambda m: {**m, "arrays": []}, "'arrays' must be an object"),
    "array missing": (lambda m: {**m, "arrays": {k: v for k, v in m["arrays"].items() if k != "logp2"}},
                      "lacks logp2"),
    "bad dtype": (set_array("remainders2", "dtype", "<c16"), "'arrays.remainders2'.dtype must be one of"),
    "dtype not a string": (set_array("remainders2", "dtype", 8), "'arrays.remainders2'.dtype must be one of"),
    "negative length": (set_array("logp3", "length", -5), "'arrays.logp3'.length must be at least 0"),
    "negative offset": (set_array("logp3", "offset", -16), "'arrays.logp3'.offset must be at least 0"),
    "length as float": (set_array("logp3", "length", 1.5), "'arrays.logp3'.length must be a whole number"),
    "past lm.bin": (set_array("logp3", "length", 10**9), "past the end of"),
    "spec not an object": (lambda m: {**m, "arrays": {**m["arrays"], "remainders2": 3}},
                           "'arrays.remainders2' must be an object"),
    "no tables": (drop("tables"), "'tables' is missing"),
    "table missing": (lambda m: {**m, "tables": {"2": m["tables"]["2"]}}, "'tables.3' must be an object"),
    "table bits text": (lambda m: {**m, "tables": {**m["tables"], "2": {"bits": "32", "bucket_bits": 1}}},
                        "'tables.2'.bits must be a whole number"),
    "vocab_size text": (lambda m: {**m, "vocab_size": "many"}, "'vocab_size' must be a whole number"),
    "files not hashes": (lambda m: {**m, "files": {**m["files"], "lm.bin": None}}, "'files.lm.bin' must be a SHA-256"),
    "files lack lm.bin": (lambda m: {**m, "files": {"vocab.tsv": m["files"]["vocab.tsv"]}},
                          "no entry for lm.bin"),
    "inputs entry": (lambda m: {**m, "inputs": [{"file": 3}]}, "'inputs[0]' must be an object"),
    "version text": (lambda m: {**m, "format_version": "1"}, "model format version '1'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_model_json_is_one_model_error(model_dir, case):
    change, message = CASES[case]
    edit_meta(model_dir, change)
    with pytest.raises(ModelError) as error:
        Model.load(model_dir)
    text = str(error.value)
    assert text.startswith(f"{model_dir / 'model.json'}: "), text
    assert message in text, text
    assert "\n" not in text


@pytest.mark.parametrize("case", ["not an object", "no files", "negative length", "bad dtype"])
def test_cli_says_one_line(model_dir, case, capsys):
    edit_meta(model_dir, CASES[case][0])
    assert main(["info", "--model", str(model_dir)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("vnrestore: ") and "model.json" in err[0]


def test_the_shipped_model_passes(model_dir):
    model = Model.load(model_dir)
    assert model.ocr_table is not None and model.ocr_table.rows


# -- the OCR error table ----------------------------------------------------------------
def write_table(model_dir: Path, text: str, record: bool = False) -> Path:
    path = model_dir / "ocr-confusions.tsv"
    path.write_text(text, encoding="utf-8")
    if record:
        edit_meta(model_dir, lambda m: {**m, "files": {**m["files"], path.name: file_sha256(path)}})
    return path


def table_lines() -> list[str]:
    return OCR_TABLE.read_text(encoding="utf-8").splitlines(True)


def damaged(kind: str) -> str:
    lines = table_lines()
    header = next(i for i, line in enumerate(lines) if line.startswith("gold\t"))
    row = header + 1
    gold, ocr, count, logprob = lines[row].rstrip("\n").split("\t")
    if kind == "nan":
        lines[row] = f"{gold}\t{ocr}\t{count}\tnan\n"
    elif kind == "inf":
        lines[row] = f"{gold}\t{ocr}\t{count}\tinf\n"
    elif kind == "negative count":
        lines[row] = f"{gold}\t{ocr}\t-3\t{logprob}\n"
    elif kind == "bad columns":
        lines[row] = f"{gold}\t{ocr}\t{count}\n"
    elif kind == "half":
        lines = lines[: (header + len(lines)) // 2]
    elif kind == "cut mid-line":
        return "".join(lines)[:-7]
    return "".join(lines)


@pytest.mark.parametrize("kind, message", [
    ("nan", "not a finite number"), ("inf", "not a finite number"), ("negative count", "negative count"),
    ("bad columns", "expected 'gold<TAB>ocr<TAB>count<TAB>logprob'"), ("half", "truncated"),
    ("cut mid-line", "truncated"),
])
def test_damaged_ocr_table_is_refused_at_load(model_dir, kind, message):
    path = write_table(model_dir, damaged(kind))
    with pytest.raises(ModelError) as error:
        Model.load(model_dir)
    assert str(error.value).startswith(str(path)) and message in str(error.value), str(error.value)


def test_ocr_table_of_the_model_directory_is_the_one_used(model_dir):
    lines = table_lines()
    header = next(i for i, line in enumerate(lines) if line.startswith("gold\t"))
    del lines[header + 1]  # a different (still whole) table
    write_table(model_dir, "".join(lines))
    model = Model.load(model_dir)
    assert len(model.ocr_table.rows) == len(Model.load(SHIPPED).ocr_table.rows) - 1


def test_ocr_table_hash_is_verified_when_recorded(model_dir):
    path = write_table(model_dir, OCR_TABLE.read_text(encoding="utf-8"), record=True)
    Model.load(model_dir)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    with pytest.raises(ModelError, match="do not match the hash"):
        Model.load(model_dir)


def test_build_model_copies_and_records_the_ocr_table(tmp_path):
    from vnrestore.build import build_model
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("cộng hòa xã hội chủ nghĩa việt nam\nđộc lập tự do hạnh phúc\n" * 20, encoding="utf-8")
    meta = build_model([corpus], tmp_path / "m", None, jobs=1)
    assert meta["files"]["ocr-confusions.tsv"] == file_sha256(OCR_TABLE)
    assert (tmp_path / "m" / "ocr-confusions.tsv").read_bytes() == OCR_TABLE.read_bytes()
    Model.load(tmp_path / "m")
