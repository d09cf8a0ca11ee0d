"""Abbreviations as context, non-syllable words as LM symbols, gazetteer names: the
build's tables and how the restorer reads them (a tiny corpus written for this test)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from vnrestore import abbrev
from vnrestore.gazetteer import read_segments, unit_symbols
from vnrestore.lattice import build_lattices
from vnrestore.model import EXPANSIONS_FILE, Model, file_sha256
from vnrestore.pipeline import Options, Restorer
from vnrestore.plan import ABBREVIATION
from vnrestore.segment import UNK
from conftest import build_small


def test_initials_spell_the_abbreviation():
    assert abbrev.spells("UBND", ["ủy", "ban", "nhân", "dân"])
    assert abbrev.spells("HĐND", ["hội", "đồng", "nhân", "dân"])
    assert not abbrev.spells("HDND", ["hội", "đồng", "nhân", "dân"])  # Đ is a letter of its own
    assert not abbrev.spells("GDĐH", ["giáo", "dục", "dục", "đại", "học"])  # a typo in a list


def test_ambiguous_abbreviations_expand_only_to_a_dominant_reading():
    listed = {"TT": [["thông", "tư"], ["trung", "tâm"]], "UBND": [["ủy", "ban", "nhân", "dân"]],
              "BCH": [["ban", "chấp", "hành"], ["ban", "chỉ", "huy"]]}
    pairs = Counter({("TT", "thông tư"): 8, ("TT", "trung tâm"): 1,      # dominant: 8 of 9
                     ("BCH", "ban chấp hành"): 3, ("BCH", "ban chỉ huy"): 2})  # not dominant
    assert abbrev.choose_expansions(pairs, listed) == {
        "TT": ("thông tư", abbrev.CORPUS), "UBND": ("ủy ban nhân dân", abbrev.LIST)}


def test_the_corpus_attests_abbreviations_with_d_bar():
    counts = {"CTĐT": 9, "CTDT": 1, "ĐBCL": 2, "KTĐG": 6, "KTDG": 7, "NGƯT": 5, "CÔNGTẠI": 8}
    # ĐBCL: too rare; KTĐG: its plain spelling is commoner, so the plain one is kept;
    # CÔNGTẠI: a tone mark, so words run together, not an abbreviation
    assert abbrev.attested_letters(counts) == {"CTDT": "CTĐT", "NGUT": "NGƯT"}


def test_gazetteer_units_are_type_words_then_name_symbols(tmp_path):
    assert unit_symbols("Thị xã Duy Tiên") == ["thị", "xã", "^duy", "^tiên"]
    assert unit_symbols("Quận 1") is None
    (tmp_path / "names-admin-x.txt").write_text("Xã Đông Hưng, Huyện Tiền Hải\nXã Đông Hưng, Huyện Tiền Hải\n",
                                                encoding="utf-8")
    (tmp_path / "names-person-given.txt").write_text("Bưa\t3\n", encoding="utf-8")
    assert read_segments(tmp_path) == [
        ["xã", "^đông", "^hưng", ",", "huyện", "^tiền", "^hải"], ["^bưa"]]


# Written for this test: the abbreviation is spelled out with it in parentheses, and only
# the spelled-out form says what follows it ("tỉnh", not "tính").
CORPUS = """\
Ủy ban nhân dân (UBND) tỉnh họp sáng nay.
Ủy ban nhân dân (UBND) tỉnh ban hành kế hoạch.
Ủy ban nhân dân (UBND) huyện báo cáo.
Chủ tịch ủy ban nhân dân tỉnh ký quyết định.
Ủy ban nhân dân tỉnh chỉ đạo các sở.
Các em tính tiền mua sách.
Chúng tôi tính toán chi phí.
Họ tính kỹ trước khi làm.
Bạn tính giúp tôi bài toán này.
Trang Facebook của trường đăng tin.
Trang Facebook của xã đăng tin.
Nhà trường rà soát CTĐT năm nay.
Khoa cập nhật CTĐT mới.
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Model:
    root = tmp_path_factory.mktemp("context")
    names = root / "names"
    names.mkdir()
    (names / "names-admin-x.txt").write_text("Xã Bưa Ngoại, Huyện Tiền Hải\n", encoding="utf-8")
    abbrev.MIN_ATTESTED, saved = 2, abbrev.MIN_ATTESTED
    try:
        directory = build_small(root, CORPUS, min_word_count=2, gazetteer=names, gazetteer_weight=2)
    finally:
        abbrev.MIN_ATTESTED = saved
    return Model.load(directory)


def test_the_build_writes_the_tables_with_their_hashes(model):
    meta = json.loads((model.path / "model.json").read_text(encoding="utf-8"))
    assert meta["files"][EXPANSIONS_FILE] == file_sha256(model.path / EXPANSIONS_FILE)
    assert model.expansions == {"UBND": (("ủy", "ban", "nhân", "dân"), abbrev.CORPUS)}
    assert model.abbreviations == {"CTDT": "CTĐT"} and model.abbreviation_origin == {"CTDT": "corpus"}
    # a frequent non-syllable word is an LM symbol; an expanded one is not needed
    assert model.lexicon.id("Facebook") is not None and model.lexicon.id("UBND") is None
    assert any(i.get("role") == "gazetteer (x2)" for i in meta["inputs"])
    assert model.lexicon.id("^bưa") is not None


def test_an_abbreviation_fills_one_position_per_symbol(model):
    restorer = Restorer(model, Options(mode="plain"))
    plan = restorer._plan("UBND tinh hop.")
    lat = build_lattices(plan, model.lexicon, restorer._unk, restorer._names, {}, 1.0,
                         restorer._abbreviations)
    (positions,), (lattice,) = lat.positions, lat.lattices
    ubnd = [t.text for t in plan.tokens].index("UBND")
    assert positions[:4] == [ubnd] * 4 and len(positions) == len(lattice) == 7
    assert [model.lexicon.symbols[c[0]] for c in lattice[:4]] == ["ủy", "ban", "nhân", "dân"]
    assert model.lexicon.id(UNK) not in lattice[0]


def test_the_word_after_an_abbreviation_reads_in_context(model):
    restorer = Restorer(model, Options(mode="plain"))
    assert restorer.restore("UBND tinh hop.") == "UBND tỉnh họp."
    assert restorer.restore("Ra soat CTDT.") == "Rà soát CTĐT."
    by_input = {c.input: c for c in restorer.explain("UBND tinh, CTDT.")}
    assert by_input["UBND"].source == ABBREVIATION and "ủy ban nhân dân" in by_input["UBND"].detail
    assert by_input["CTDT"].output == "CTĐT" and "corpus" in by_input["CTDT"].detail
    assert by_input["tinh"].detail == "" and "detail" not in by_input["tinh"].as_dict()


def test_a_model_without_the_tables_reads_abbreviations_as_unknown():
    restorer = Restorer(options=Options(mode="plain"))  # the shipped model may predate them
    choice = next(c for c in restorer.explain("UBND tinh") if c.input == "UBND")
    assert choice.output == "UBND"
    assert (choice.source == ABBREVIATION) == bool(restorer.model.expansions)
