"""Compound tokens: codes (12/NQ-HDND, 88/2024/ND-CP, GD&DT) and words joined by a
slash (dong/nam, nguoi/ngay).

The tokenizer keeps a chunk with a digit, a slash or '&' whole, as a code the LM reads
as one <code> symbol, so nothing inside it was ever restored.  This source looks inside:

* the all-caps letter parts of a code typed without diacritics get their Đ when the
  evidence is unambiguous: the whole run of letters joined by '&' or '-' (GD&DT read
  as GDDT -> GDĐT), else each part alone, from the table of letters of the corpus'
  codes (``code-letters.tsv``, see ``abbrev.code_letters``: ND-CP -> NĐ-CP, where ND
  alone is also "nhân dân") and then the model's abbreviation table (HDND -> HĐND).
  The code stays one token and one <code> symbol, which is how the LM saw it.  Words
  joined by '-' without a digit are separate tokens already (GD-DT): their letters are
  read the same way.
* a code made of syllables, numbers and all-caps words joined by '/' (dong/nam,
  dong/nguoi/01, Diep/TTXVN) is cut into tokens of its own, so its words are restored
  like any other and the LM reads them in context ("600 triệu đồng / năm"); a word
  right after the slash, mostly a unit, keeps only the forms the corpus' codes give
  its key there (``WordsAfterSlash``: tấn/ha stays ha, not hạ).  A list number run
  into its word (1.Nha) is cut the same way.

A code typed with any Vietnamese letter is left as written, and one with any other
shape (a URL, a file name, a model number like Su-30 or A4, units like kWh/nam) is not
touched: only its form decides, never a list of particular codes.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Mapping

from ..abbrev import CODE_UNITS, is_abbreviation
from ..candidates import Lexicon
from ..errors import ModelError
from ..orthography import is_valid_syllable
from ..plan import ABBREVIATION, Plan
from ..tokenize import CODE, NUMBER, PUNCT, WORD, Token

CODE_LETTERS_FILE = "code-letters.tsv"
CODE_WORDS_FILE = "code-words.tsv"
_JOINERS = ("&", "-")  # letters joined so may be one abbreviation (GD&ĐT, GD-ĐT: GDĐT)
MIN_PIECE = 4  # letters of a known abbreviation found inside a longer one
AFTER_SLASH_MIN, AFTER_SLASH_SHARE = 10, 0.1  # see WordsAfterSlash (set a priori, not tuned)


def read_code_letters(path: Path) -> dict[str, tuple[str, int, int]]:
    """Plain spelling -> (form with Đ, times seen in codes, times seen typed plain)."""
    table = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 4 or not (fields[2].isdigit() and fields[3].isdigit()):
                raise ModelError(f"{path}:{number}: expected 'plain<TAB>form<TAB>count<TAB>count' "
                                 "with whole-number counts")
            table[fields[0]] = (fields[1], int(fields[2]), int(fields[3]))
    return table


class CodeSource:
    """Runs first: it may cut tokens, so the other sources see the cut ones."""

    def __init__(self, lexicon: Lexicon, code_letters: Mapping[str, tuple[str, int, int]],
                 abbreviations: Mapping[str, str], origin: Mapping[str, str] | None = None):
        self.lexicon = lexicon
        self.code_letters = code_letters
        self.abbreviations = abbreviations
        self.origin = origin or {}

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        cut: list[Token] = []
        for k, tok in enumerate(tokens):
            parts = None
            if tok.kind == CODE and not _address(tok.text) and not _in_path(tokens, k):
                parts = self._word_parts(tok)
            if parts is None:
                cut.append(tok)
                continue
            for part in parts:
                plan.detail[len(cut)] = f"part of '{tok.text}'"
                cut.append(part)
        plan.tokens = tokens = cut
        for i, tok in enumerate(tokens):
            if tok.kind == CODE and "D" in tok.text and not _address(tok.text):
                self._respell_code(i, tok, plan)
        for run in _hyphen_runs(tokens):
            self._respell_words(run, tokens, plan)

    def _word_parts(self, tok: Token) -> list[Token] | None:
        """The tokens of a code made of words joined by '/' (or '-' between words; or a
        list number run into its first word, 1.Nha), or None if it is any other code.
        Parts the lexicon cannot restore (kg, TTXVN) are kept as they are."""
        units = CODE_UNITS.findall(tok.text)
        if len(units) % 2 == 0:
            return None
        words = 0
        for k, unit in enumerate(units):
            if k % 2:
                if not (unit == "/" or (unit == "-" and units[k - 1].isalpha() and units[k + 1].isalpha())
                        or (unit == "." and len(units) == 3 and units[0].isdigit() and units[2].istitle())):
                    return None  # not a separator, or a model number (Su-30, 135-A)
            elif unit.isalpha():
                if self._syllable_part(unit):
                    words += 1
                elif (len(unit) < 2 or unit.istitle() or (unit.islower() and len(unit) > 3)
                      or self.lexicon.candidates(unit.lower())):
                    return None  # a single letter (a/b, m/s), a foreign word (Day/Month, local),
                    #              an all-caps syllable (abbreviation or heading?); units stay (kg, kWh)
            elif not unit.isdigit():
                return None
        if not words:
            return None
        parts, start = [], tok.start
        for k, unit in enumerate(units):
            kind = PUNCT if k % 2 else WORD if unit.isalpha() else NUMBER
            parts.append(Token(start, start + len(unit), kind, unit))
            start += len(unit)
        return parts

    def _syllable_part(self, unit: str) -> bool:
        """A word written lower-case or capitalized that the lexicon can restore (nguoi,
        Phuong) or a syllable already accented (đồng), two letters or more."""
        if len(unit) < 2 or not (unit.islower() or unit.istitle()):
            return False
        lower = unit.lower()
        if lower.isascii():
            return bool(self.lexicon.candidates(lower))
        return is_valid_syllable(unicodedata.normalize("NFC", lower))

    def _respell_code(self, i: int, tok: Token, plan: Plan) -> None:
        output, notes = self.respell(tok.text, in_code=True)
        if output != tok.text:
            plan.fixed[i], plan.source[i] = output, ABBREVIATION
            plan.detail[i] = "; ".join(notes)

    def _respell_words(self, run: list[int], tokens: list[Token], plan: Plan) -> None:
        start = tokens[run[0]].start
        text = "".join(tokens[i].text for i in run)
        output, notes = self.respell(text, in_code=False)
        for i in run:
            tok = tokens[i]
            form = output[tok.start - start:tok.end - start]  # respelling keeps every length
            if form != tok.text:
                plan.fixed[i], plan.source[i] = form, ABBREVIATION
                plan.detail[i] = "; ".join(notes)

    def respell(self, text: str, in_code: bool) -> tuple[str, list[str]]:
        """`text` with the letters of its abbreviations restored, and where each came
        from.  Outside codes (GD-DT as words) only parts that are no syllable count."""
        if not text.isascii():
            return text, []
        units = CODE_UNITS.findall(text)
        caps = {k for k, u in enumerate(units)
                if len(u) >= 2 and u.isalpha() and u.isupper() and (in_code or is_abbreviation(u))}
        notes: list[str] = []
        done: set[int] = set()
        for run in _joined_runs(units, caps):
            found = self._lookup("".join(units[k] for k in run))
            if found:
                form, note = found
                for k in run:
                    units[k], form = form[:len(units[k])], form[len(units[k]):]
                done.update(run)
                notes.append(note)
        for k in sorted(caps - done):
            found = self._lookup(units[k]) or self._lookup_within(units[k])
            if found:
                units[k] = found[0]
                notes.append(found[1])
        return "".join(units), notes

    def _lookup_within(self, plain: str) -> tuple[str, str] | None:
        """An abbreviation of four letters or more, known with its Đ, that begins or ends
        this one while the rest has no D (TTHDND: TT + HĐND, SGDDT: S + GDĐT): names of
        bodies are built so.  Shorter pieces are left out: QD is QĐ in a code, but in
        TTPTQD it is quỹ đất."""
        for size in range(len(plain) - 1, MIN_PIECE - 1, -1):
            for piece, rest, at_start in ((plain[:size], plain[size:], True), (plain[-size:], plain[:-size], False)):
                found = None if "D" in rest else self._lookup(piece)
                if found:
                    form = found[0] + rest if at_start else rest + found[0]
                    return form, f"{form}: {found[1]}"
        return None

    def _lookup(self, plain: str) -> tuple[str, str] | None:
        """The form with Đ of an all-caps spelling, and where that comes from."""
        if "D" not in plain:
            return None
        if plain in self.code_letters:
            form, n, n_plain = self.code_letters[plain]
            return form, f"{form}: written so in {n:,} codes of the corpus ({plain}: {n_plain:,})"
        if len(self.abbreviations.get(plain, "")) == len(plain):
            form = self.abbreviations[plain]
            where = "corpus" if self.origin.get(plain) == "corpus" else "abbreviation list"
            return form, f"{form}: written so in the {where}"
        return None


def _address(text: str) -> bool:
    """A URL or an e-mail address (the tokenizer makes them codes too)."""
    return "@" in text or "://" in text or text[:4].lower() == "www."


def _in_path(tokens: list[Token], k: int) -> bool:
    """A code run into a path separator (/home/dong/nam, C:\\tai/lieu, ~/tai/lieu): part
    of a path, never words.  (A dot after it ends the sentence: a file name's dot would
    have been inside the code.)"""
    tok = tokens[k]
    before = k > 0 and tokens[k - 1].end == tok.start and tokens[k - 1].text in ("/", "\\", "~", ".")
    after = k + 1 < len(tokens) and tokens[k + 1].start == tok.end and tokens[k + 1].text in ("/", "\\")
    return before or after


def _joined_runs(units: list[str], caps: set[int]) -> list[list[int]]:
    """Runs of two or more all-caps parts joined by '&' or '-' (GD&DT)."""
    runs, run = [], []
    for k in sorted(caps):
        if run and k == run[-1] + 2 and units[k - 1] in _JOINERS:
            run.append(k)
        else:
            if len(run) > 1:
                runs.append(run)
            run = [k]
    if len(run) > 1:
        runs.append(run)
    return runs


def _hyphen_runs(tokens: list[Token]) -> list[list[int]]:
    """Words joined by '-' with no space (GD-DT: the tokenizer cut them already)."""
    runs: list[list[int]] = []
    for j in range(1, len(tokens) - 1):
        if tokens[j].text != "-":
            continue
        before, after = tokens[j - 1], tokens[j + 1]
        if (before.kind == WORD and after.kind == WORD and before.end == tokens[j].start
                and tokens[j].end == after.start):
            if runs and runs[-1][-1] == j - 1:
                runs[-1] += [j, j + 1]
            else:
                runs.append([j - 1, j, j + 1])
    return runs


class WordsAfterSlash:
    """Runs after the lexicon: a word right after a slash inside a cut code (năm of
    đồng/năm) is mostly a unit, which the LM reads badly there (the corpus' slashes are
    inside codes, one <code> symbol), so when the corpus' codes spell its key at least
    AFTER_SLASH_MIN times, only the forms with AFTER_SLASH_SHARE of those stay
    candidates (ha: ha 284, hạ 7) and the LM chooses among them."""

    def __init__(self, lexicon: Lexicon, words: Mapping[str, Mapping[str, int]]):
        self.forms: dict[str, tuple[frozenset[int], str]] = {}
        for word_key, counts in words.items():
            total = sum(counts.values())
            if total >= AFTER_SLASH_MIN:
                kept = {w: n for w, n in counts.items() if n >= AFTER_SLASH_SHARE * total and lexicon.id(w) is not None}
                note = ", ".join(f"{w} {n:,}" for w, n in sorted(counts.items(), key=lambda e: -e[1]))
                self.forms[word_key] = frozenset(lexicon.id(w) for w in kept), note

    def propose(self, tokens: list[Token], plan: Plan) -> None:
        for i in list(plan.detail):  # the tokens of cut codes (and respelled ones)
            cands = plan.lattice_of.get(i)
            before = tokens[i - 1] if i else None
            if cands is None or before is None or before.text != "/" or before.end != tokens[i].start:
                continue
            found = self.forms.get(tokens[i].text.lower())
            kept = [j for j, c in enumerate(cands) if c in found[0]] if found else []
            if kept:
                plan.narrow(i, kept)
                plan.detail[i] += f"; after a slash in the corpus' codes: {found[1]}"


def read_code_words(path: Path) -> dict[str, dict[str, int]]:
    """Key -> {word: times seen right after a slash in the corpus' codes}."""
    table: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or not fields[2].isdigit():
                raise ModelError(f"{path}:{number}: expected 'key<TAB>word<TAB>count' with a whole-number count")
            table.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    return table
