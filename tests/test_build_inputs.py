"""build-model's inputs: which files a corpus directory contributes, compressed files,
and the syllable inventory shipped with the package, which lets a model built from a
small corpus restore words its corpus never wrote."""

from __future__ import annotations

import gzip
import itertools
import lzma

import pytest

from vnrestore import InputError
from vnrestore.build import DEFAULT_FALLBACK, build_model, corpus_files, read_syllables
from vnrestore.cli import main
from vnrestore.model import Model
from vnrestore.orthography import key
from vnrestore.pipeline import Restorer

# Made up for this test: 10 x 10 x 5 x 5 = 2,500 everyday sentences.
SUBJECTS = ["Tôi", "Chúng tôi", "Anh ấy", "Chị ấy", "Mẹ tôi", "Bố tôi", "Học sinh", "Người dân",
            "Các bạn", "Ông bà"]
ACTIONS = ["đi học", "đi làm", "ăn cơm", "đọc sách", "xem phim", "nấu ăn", "về nhà", "đi chợ",
           "uống nước", "làm việc"]
PLACES = ["ở nhà", "ở trường", "ở thành phố", "ở quê", "trong lớp học"]
TIMES = ["hôm nay", "sáng nay", "mỗi ngày", "vào buổi tối", "cuối tuần"]


def corpus_lines() -> list[str]:
    return [f"{s} {a} {p} {t}." for s, a, p, t in itertools.product(SUBJECTS, ACTIONS, PLACES, TIMES)]


def test_a_directory_contributes_txt_xz_and_gz(tmp_path):
    (tmp_path / "a.txt").write_text("Tôi đi học.\n", encoding="utf-8")
    with lzma.open(tmp_path / "b.txt.xz", "wt", encoding="utf-8") as handle:
        handle.write("Chị ấy đi làm.\n")
    with gzip.open(tmp_path / "c.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write("Mẹ tôi nấu ăn.\n")
    (tmp_path / "notes.md").write_text("không phải corpus\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("Bố tôi về nhà.\n", encoding="utf-8")
    names = [f.name for f in corpus_files([tmp_path])]
    assert names == ["a.txt", "b.txt.xz", "c.txt.gz"]
    assert [f.name for f in corpus_files([tmp_path], ("*.txt.xz",))] == ["b.txt.xz"]
    # a file named explicitly is read whatever its name
    assert corpus_files([tmp_path / "notes.md"]) == [tmp_path / "notes.md"]

    meta = build_model([tmp_path], tmp_path / "model", fallback=None, cutoffs={3: 1}, jobs=1)
    assert [entry["file"] for entry in meta["inputs"]] == names
    lexicon = Model.load(tmp_path / "model").lexicon
    assert all(lexicon.id(form) is not None for form in ("học", "làm", "nấu"))
    assert lexicon.id("về") is None  # only in the subdirectory


def test_unusable_inputs_are_one_line_errors(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no corpus files"):
        corpus_files([tmp_path / "empty"])
    with pytest.raises(InputError, match="missing.txt: no such file"):
        corpus_files([tmp_path / "missing.txt"])
    (tmp_path / "bad.txt.gz").write_bytes(b"not gzip at all\n")
    code = main(["build-model", "--corpus", str(tmp_path / "bad.txt.gz"), "--out", str(tmp_path / "m"),
                 "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("vnrestore: ") and "bad.txt.gz: not a readable .gz file" in err
    assert "Traceback" not in err


def test_cli_glob_leaves_side_files_out(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with lzma.open(corpus / "text.txt.xz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(corpus_lines()[:200]) + "\n")
    (corpus / "titles.txt").write_text("Đầm Sen\n", encoding="utf-8")  # a side file
    out = tmp_path / "model"
    assert main(["build-model", "--corpus", str(corpus), "--out", str(out), "--glob", "*.txt.xz",
                 "--jobs", "1"]) == 0
    meta = Model.load(out).meta
    assert [e["file"] for e in meta["inputs"] if "role" not in e] == ["text.txt.xz"]
    # --fallback not given: the shipped inventory is used and recorded
    assert [e["file"] for e in meta["inputs"] if e.get("role") == "fallback syllables"] == ["syllables.txt"]


def test_shipped_inventory():
    forms = read_syllables(DEFAULT_FALLBACK)
    assert len(forms) > 17000 and len(set(forms)) == len(forms)
    assert {"không", "người", "nghĩa", "hòa", "thủy"} <= set(forms)  # new-style tone placement
    assert "hoà" not in forms


@pytest.fixture(scope="module")
def small_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    corpus = root / "everyday.txt"
    corpus.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    build_model([corpus], root / "with", order=3, jobs=1)  # default: the shipped inventory
    build_model([corpus], root / "without", fallback=None, order=3, jobs=1)
    return Restorer(root / "with"), Restorer(root / "without")


def test_a_small_custom_model_restores_common_words(small_models):
    restorer, _ = small_models
    assert restorer.restore("Chung toi an com o nha hom nay.") == "Chúng tôi ăn cơm ở nhà hôm nay."
    assert restorer.restore("Me toi di cho vao buoi toi") == "Mẹ tôi đi chợ vào buổi tối"
    assert restorer.restore("Hoc sinh doc sach trong lop hoc.") == "Học sinh đọc sách trong lớp học."


def test_the_inventory_offers_words_the_corpus_never_wrote(small_models):
    with_inventory, without = small_models
    seen = {word.strip(".").lower() for line in corpus_lines() for word in line.split()}
    by_key: dict[str, list[str]] = {}
    for form in read_syllables(DEFAULT_FALLBACK):
        by_key.setdefault(key(form), []).append(form)
    unseen = [k for k in sorted(by_key) if k not in by_key[k] and not any(f in seen for f in by_key[k])]
    assert len(unseen) > 1000
    for word_key in unseen[::200]:
        assert with_inventory.restore(word_key) in by_key[word_key]
        assert without.restore(word_key) == word_key  # no candidate without the inventory
    # where the inventory has one spelling for a key, that is the restored word
    unique = [forms[0] for k, forms in by_key.items() if len(forms) == 1 and k in unseen and k != forms[0]]
    assert "đắk" in unique
    for form in unique:
        assert with_inventory.restore(key(form)) == form
