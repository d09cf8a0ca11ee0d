"""User lexicons: reading the file, favouring its syllables, reporting what cannot be used."""

from __future__ import annotations

import math

import pytest

from vnrestore import InputError, Options, Restorer
from vnrestore.cli import main
from vnrestore.orthography import ONSETS, RHYMES, has_accents, is_valid_syllable, key, place_tone
from vnrestore.userlex import (DEFAULT_WEIGHT, NO_DIACRITICS, NOT_A_SYLLABLE, UserLexiconWarning,
                               parse_user_lexicon, read_user_lexicon)


@pytest.fixture(scope="module")
def plain():
    return Restorer()


def test_file_format(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# names\nNguyễn Lương Bằng\nHoà Bình\t2.5  # old tone style is fine\n\nabc\n", encoding="utf-8")
    bonus, _ = parse_user_lexicon(path)
    assert bonus["nguyễn"] == pytest.approx(DEFAULT_WEIGHT * math.log(10))
    assert bonus["hòa"] == pytest.approx(2.5 * math.log(10))  # normalised to the model's spelling
    assert "abc" not in bonus  # plain words carry no spelling to favour


def test_unusable_words_are_reported(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Hà Nam\nThúy\nFacebook\nxyz\n", encoding="utf-8")
    bonus, unusable = parse_user_lexicon(path)
    assert set(bonus) == {"hà", "thúy"}
    assert [(u.line, u.word, u.reason) for u in unusable] == [
        (1, "Nam", NO_DIACRITICS), (3, "Facebook", NOT_A_SYLLABLE), (4, "xyz", NOT_A_SYLLABLE)]
    with pytest.warns(UserLexiconWarning) as caught:
        assert read_user_lexicon(path) == bonus
    messages = [str(w.message) for w in caught]
    assert messages == [f"{path}: 1 word(s) no diacritics, not favoured: Nam (line 1)",
                        f"{path}: 2 word(s) not a Vietnamese syllable, not favoured: "
                        "Facebook (line 3), xyz (line 4)"]
    with pytest.warns(UserLexiconWarning):  # a Restorer reading the file says so too
        Restorer(user_lexicon=path)


@pytest.mark.parametrize("content, message", [
    ("Hà Nội\tnhiều\n", r"bad.txt:1: weight 'nhiều' is not a number"),
    ("ok\nHà Nội\tinf\n", "bad.txt:2: weight must be a finite number"),
])
def test_bad_weights_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_user_lexicon(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Hà Nội".encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(InputError, match="latin1.txt: not valid UTF-8"):
        read_user_lexicon(path)


def test_a_favoured_form_wins_where_it_is_a_candidate(plain):
    text = "ba me"
    default = plain.restore(text).split()[0]
    alternatives = [form for form, _ in plain.explain(text)[0].alternatives if form != default]
    target = alternatives[-1]  # the least likely reading
    favoured = Restorer(plain.model, user_lexicon={target: 10 * math.log(10)})
    assert favoured.restore(text).split()[0] == target
    assert favoured.restore("cong tac") == plain.restore("cong tac")  # other words untouched


def unknown_syllable(lexicon) -> str:
    """A well-formed syllable the model has no entry for."""
    for onset in ONSETS:
        for rhyme in sorted(RHYMES):
            form = place_tone(onset + rhyme, 1)
            if is_valid_syllable(form) and lexicon.id(form) is None:
                return form
    raise AssertionError("the model knows every syllable")


def test_unknown_forms_are_reported(plain):
    form = unknown_syllable(plain.model.lexicon)
    restorer = Restorer(plain.model, user_lexicon={form: 1.0})
    assert restorer.unknown_user_forms == [form]


def test_a_never_seen_fallback_syllable_becomes_a_candidate(plain):
    lexicon = plain.model.lexicon
    # a syllable known only from the fallback inventory (corpus count 0)
    form = next(s for s, c in zip(lexicon.symbols, lexicon.counts)
                if c == 0 and is_valid_syllable(s) and not s.isascii() and lexicon.candidates(key(s))
                and lexicon.id(s) not in lexicon.candidates(key(s)))
    assert lexicon.id(form) not in lexicon.candidates(key(form))
    favoured = Restorer(plain.model, user_lexicon={form: 20 * math.log(10)})
    assert favoured.restore(key(form)) == form


def test_cli_option(tmp_path, capsys):
    lexicon = tmp_path / "lex.txt"
    unknown = unknown_syllable(Restorer().model.lexicon)
    lexicon.write_text(f"bả\t15\n{unknown}\n", encoding="utf-8")
    source = tmp_path / "in.txt"
    source.write_text("ba me\n", encoding="utf-8")
    assert main(["fix", str(source), "--user-lexicon", str(lexicon)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "bả mẹ\n"
    assert captured.err.splitlines() == [
        f"vnrestore: warning: {lexicon}: 1 word(s) unknown to the model, not favoured: {unknown}"]
    lexicon.write_text("bả\t15\nTokyo\nba\n", encoding="utf-8")
    assert main(["fix", str(source), "--user-lexicon", str(lexicon)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "bả mẹ\n"
    assert captured.err.splitlines() == [
        f"vnrestore: warning: {lexicon}: 1 word(s) no diacritics, not favoured: ba (line 3)",
        f"vnrestore: warning: {lexicon}: 1 word(s) not a Vietnamese syllable, not favoured: Tokyo (line 2)"]
    assert main(["fix", str(source), "--user-lexicon", str(tmp_path / "missing.txt")]) == 1
    assert "missing.txt" in capsys.readouterr().err


def test_the_default_weight_wins_over_usual_margins(plain, tmp_path):
    """A form the model finds 10^2 to 10^5 times less likely than its choice loses at
    weight 1 and wins at the default weight (measured: benchmarks/userlex_weight.py)."""
    assert DEFAULT_WEIGHT >= 6
    cases = 0
    for text in ["Chung toi se den tham ban vao ngay mai", "Ong ay dang lam viec o benh vien",
                 "Uy ban nhan dan xa da tap trung chi dao cac ban nganh"]:
        for choice in plain.explain(text):
            if choice.source != "restored" or len(choice.alternatives) < 2:
                continue
            best = choice.alternatives[0][1]
            for form, p in choice.alternatives[1:]:
                if p > 0 and has_accents(form) and 2 < math.log10(best / p) < 5:
                    lexicon = tmp_path / "lex.txt"
                    lexicon.write_text(form + "\n", encoding="utf-8")  # no weight: the default
                    start, end = choice.start, choice.end
                    assert Restorer(plain.model, user_lexicon=lexicon).restore(text)[start:end].lower() == form.lower()
                    weak = Restorer(plain.model, user_lexicon={form.lower(): math.log(10)})
                    assert weak.restore(text)[start:end].lower() != form.lower()
                    cases += 1
    assert cases >= 3


def test_a_name_wins_at_the_default_weight(plain, tmp_path):
    lexicon = tmp_path / "names.txt"
    lexicon.write_text("Tuấn\n", encoding="utf-8")
    no_lists = Options(name_list_weight=0)  # the name lists alone read Tuấn after ông
    default = Restorer(plain.model, no_lists).restore("Ong Tuan ve que")
    assert "Tuần" in default
    assert Restorer(plain.model, no_lists, user_lexicon=lexicon).restore("Ong Tuan ve que") == default.replace("Tuần", "Tuấn")
