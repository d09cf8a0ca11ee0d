"""Triggers: words 3 to 6 words away weigh a word's forms (``vnrestore.triggers``), on a
tiny corpus written for this test, where the LM's two words of context cannot tell
lợn (pig) from lớn (big) and only the words further away can."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vnrestore import triggers
from vnrestore.build import build_model
from vnrestore.cli import main
from vnrestore.errors import ModelError
from vnrestore.model import Model
from vnrestore.pipeline import Options, Restorer
from conftest import build_small

# The words next to lợn and lớn are the same ("thấy có _ ở đó"); lớn is the more frequent
# form; only "trại heo chăn nuôi" or "nhà cửa đường phố", 3 to 6 words away, tell them apart.
CORPUS = ("trại heo chăn nuôi thì thấy có lợn ở đó.\n" * 30
          + "nhà cửa đường phố thì thấy có lớn ở đó.\n" * 40
          + "trại heo chăn nuôi rất tốt.\nnhà cửa đường phố rất đẹp.\n" * 5)
PIGS = "trai heo chan nuoi thi thay co lon o do."
HOUSES = "nha cua duong pho thi thay co lon o do."


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Model:
    return Model.load(build_small(tmp_path_factory.mktemp("triggers"), CORPUS))


def test_the_build_writes_the_table_and_records_it(model):
    assert model.triggers is not None
    meta = json.loads((model.path / "model.json").read_text(encoding="utf-8"))
    assert triggers.TRIGGERS_FILE in meta["files"]
    assert meta["triggers"]["window"] == [triggers.NEAR, triggers.FAR] and meta["triggers"]["entries"] > 0


def test_far_words_score_the_form_they_come_with(model):
    table, lexicon = model.triggers, model.lexicon
    pig, big = lexicon.id("lợn"), lexicon.id("lớn")
    for words, favoured, other in (("trại heo chăn nuôi thì", pig, big), ("nhà cửa đường phố thì", big, pig)):
        keys = np.array([table.keys[w] for w in ("trai heo chan nuoi thi".split() if favoured == pig
                                                  else "nha cua duong pho thi".split())] + [-1] * 3)
        owner = np.array([len(keys) - 3, len(keys) - 3])  # the word after them, two words before the end
        score = table.scores(np.array([favoured, other]), owner, keys, np.zeros(len(keys), dtype=np.int64))
        assert score[0] > 0 > score[1], words


def test_the_weight_lets_far_words_decide(model):
    without = Restorer(model, trigger_weight=0, memory_weight=0)
    assert without.restore(PIGS) == "trại heo chăn nuôi thì thấy có lớn ở đó."  # the LM alone: the frequent form
    with_triggers = Restorer(model, trigger_weight=1.0, memory_weight=0)
    assert with_triggers.restore(PIGS) == "trại heo chăn nuôi thì thấy có lợn ở đó."
    assert with_triggers.restore(HOUSES) == "nhà cửa đường phố thì thấy có lớn ở đó."



def test_far_words_weigh_an_ocr_reading_too(model):
    # OCR mode: the channel offers both forms of "lon" (and of "1on"); the far words choose
    without = Restorer(model, mode="ocr", trigger_weight=0, memory_weight=0)
    with_triggers = Restorer(model, mode="ocr", trigger_weight=1.0, memory_weight=0)
    assert without.restore(HOUSES) == "nhà cửa đường phố thì thấy có lợn ở đó."
    assert with_triggers.restore(HOUSES) == "nhà cửa đường phố thì thấy có lớn ở đó."
    assert with_triggers.restore(PIGS.replace(" lon ", " 1on ")) == "trại heo chăn nuôi thì thấy có lợn ở đó."


def test_far_words_leave_a_vietnamese_engines_syllables_be(model):
    # a line with Vietnamese letters was not read by an English model: its written
    # syllables keep their tones, however strongly the far words vote
    strong = Restorer(model, mode="ocr", trigger_weight=5.0, memory_weight=0)
    assert strong.restore(HOUSES) == "nhà cửa đường phố thì thấy có lớn ở đó."
    written = "nhà cửa đường phố thì thấy có lợn ở đó."
    assert strong.restore(written) == written

def test_words_of_another_text_never_count(model):
    restorer = Restorer(model, trigger_weight=1.0, memory_weight=0)
    texts = ["trai heo chan nuoi", "thi thay co lon o do."]  # the pig words belong to the first text only
    assert restorer.restore_many(texts) == [restorer.restore(t) for t in texts]
    assert restorer.restore_many(texts)[1] == "thì thấy có lớn ở đó."


def test_a_model_without_the_table_restores_as_before(tmp_path):
    model = Model.load(build_small(tmp_path, CORPUS, trigger_entries=0))
    assert model.triggers is None and not (tmp_path / "model" / triggers.TRIGGERS_FILE).exists()
    assert Restorer(model, trigger_weight=1.0).restore(PIGS) == "trại heo chăn nuôi thì thấy có lớn ở đó."


def test_the_command_line_builds_without_the_table_when_told(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS, encoding="utf-8")
    for entries, wanted in (("0", False), ("10", True)):
        out = tmp_path / f"model-{entries}"
        assert main(["build-model", "--corpus", str(corpus), "--out", str(out), "--trigger-entries", entries]) == 0
        assert (out / triggers.TRIGGERS_FILE).exists() == wanted
    assert len(np.load(tmp_path / "model-10" / triggers.TRIGGERS_FILE)["codes"]) == 10  # of 18 with any evidence


@pytest.mark.parametrize("entries", [-1, 2.5, True])
def test_a_wrong_number_of_entries_is_refused(tmp_path, entries):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS, encoding="utf-8")
    with pytest.raises(ValueError, match="trigger_entries"):
        build_model([corpus], tmp_path / "model", fallback=None, jobs=1, trigger_entries=entries)


def test_far_words_settle_a_word_with_the_packaged_model():
    text = "Cong chuc Dia chinh cho biet con 17 ho chua nhan tien boi thuong."  # made up
    assert "biết con 17" in Restorer(trigger_weight=0, memory_weight=0).restore(text)
    assert "biết còn 17" in Restorer(memory_weight=0).restore(text)


def test_the_packaged_model_has_a_table_within_its_size():
    model = Model.load()
    assert model.triggers is not None
    assert (model.path / triggers.TRIGGERS_FILE).stat().st_size < 2_000_000


@pytest.mark.parametrize("broken", ["missing", "lengths", "index"])
def test_a_broken_table_is_one_clear_error(model, tmp_path, broken):
    with np.load(model.path / triggers.TRIGGERS_FILE, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    if broken == "missing":
        del arrays["codes"]
    elif broken == "lengths":
        arrays["codes"] = arrays["codes"][:-1]
    else:
        arrays["context"] = arrays["context"] + np.uint16(60000)
    path = tmp_path / triggers.TRIGGERS_FILE
    triggers.write(path, arrays)
    with pytest.raises(ModelError, match=r"triggers\.npz"):
        triggers.TriggerTable.read(path, model.lexicon.ids)
    path.write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match=r"triggers\.npz: not a readable"):
        triggers.TriggerTable.read(path, model.lexicon.ids)


@pytest.mark.parametrize("value, error", [(-0.1, ValueError), ("0.1", TypeError), (True, TypeError),
                                          (float("nan"), ValueError)])
def test_trigger_weight_is_checked(value, error):
    with pytest.raises(error, match="trigger_weight"):
        Options(trigger_weight=value)
