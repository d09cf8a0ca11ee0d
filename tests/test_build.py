"""The model build's treatment of names: a syllable written capitalized inside a sentence
is an LM symbol of its own ("^hà"), and the restorer uses it for such words."""

from __future__ import annotations

import pytest

from vnrestore.model import Model
from vnrestore.pipeline import Restorer
from conftest import build_small

# Written for this test.  As a common word "ha" is mostly "hạ" (hạ cánh, mùa hạ), but
# written capitalized inside a sentence it is always the name "Hà".
CORPUS = """\
Máy bay hạ cánh lúc sáng nay.
Mùa hạ năm nay trời rất nóng.
Máy bay sắp hạ cánh xuống sân bay.
Chúng tôi nghỉ hè vào mùa hạ.
Giá xăng được hạ xuống từ hôm nay.
Mùa hạ là mùa chúng tôi thích nhất.
Chị Hà nấu cơm rất ngon.
Hôm nay chị Hà đi chợ sớm.
Anh Nam và chị Hà đi làm.
Chúng tôi gặp chị Hà ở chợ.
Anh Nam nấu cơm cho cả nhà.
Hôm nay anh Nam đi làm sớm.
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Model:
    return Model.load(build_small(tmp_path_factory.mktemp("names"), CORPUS))


def test_names_are_symbols_of_their_own(model):
    lexicon = model.lexicon
    ha, name = lexicon.id("hà"), lexicon.id("^hà")
    assert name is not None and lexicon.as_name(ha) == name and lexicon.plain(name) == ha
    assert lexicon.id("^hạ") is None and lexicon.as_name(lexicon.id("hạ")) is None
    # the candidate table files a name under its form, not as a form of its own
    assert lexicon.candidates("ha") == (lexicon.id("hạ"), ha)
    assert lexicon.counts[ha] == 4 and lexicon.counts[name] == 4  # every use of hà is a name


def test_capitalized_word_inside_a_sentence_reads_as_a_name(model):
    restorer = Restorer(model)
    assert restorer.restore("Chi Ha nau com.") == "Chị Hà nấu cơm."
    assert restorer.restore("May bay ha canh.") == "Máy bay hạ cánh."
    # explain reports forms, never the LM's name symbols
    choice = next(c for c in restorer.explain("Chi Ha nau com.") if c.input == "Ha")
    assert choice.output == "Hà" and choice.alternatives[0][0] == "Hà"
    assert all(not form.startswith("^") for form, _ in choice.alternatives)


def test_model_files_are_format_2_with_hashed_tables(model):
    assert model.meta["format_version"] == 2
    assert set(model.meta["tables"]) == {"2", "3"}
    assert {"offsets3", "remainders3", "logp3", "logp_book3", "backoff2"} <= set(model.meta["arrays"])
    assert model.meta["arrays"]["logp3"]["dtype"] == "|u1"  # 8-bit codes


def test_a_model_of_format_1_is_refused_with_one_line_saying_to_rebuild(model, tmp_path):
    import json
    import shutil

    from vnrestore.errors import ModelError

    old = tmp_path / "old"
    shutil.copytree(model.path, old)
    meta = json.loads((old / "model.json").read_text(encoding="utf-8"))
    meta["format_version"] = 1
    (old / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        Model.load(old)
    message = str(info.value)
    assert "\n" not in message and str(old / "model.json") in message
    assert "version 1" in message and "rebuild" in message
