"""Legacy Vietnamese font encodings (TCVN3 and VNI) read as Windows-1252 text.

Before Unicode, Vietnamese was typed with 8-bit font encodings.  A file written that way
and opened as Windows-1252 shows mojibake; this module turns it back into NFC Unicode.

* **TCVN3** (TCVN 5712:1993 set VN3, the "ABC" encoding of fonts such as .VnTime) has one
  byte per letter: ``"Céng hoµ"`` is "Cộng hoà".  It has upper-case codes only for
  Ă Â Ê Ô Ơ Ư Đ.  Capitals with a tone were typed with the lower-case codes in a capital
  font (.VnTimeH), so ``encode_legacy`` writes them that way, and ``decode_legacy`` gives
  them back in capitals only where the text shows all-caps typing (below).
* **VNI** (VNI-Windows, fonts such as VNI-Times) writes most letters as a base letter
  plus a mark byte: ``"aø"`` = à, ``"oä"`` = ộ, ``"aé"`` = ắ; a few letters are single
  bytes: ñ = đ, ô = ơ, ö = ư, æ ó ò = ỉ ĩ ị, î = ỵ.  Capitals use capital bytes.

Byte decoding: each table maps what the legacy bytes look like when decoded as cp1252
to the letter.  Every non-ASCII code byte of both tables is in 0xA1-0xFE, where cp1252
and Latin-1 agree, so text read as Latin-1 converts the same.  Bytes 0x80-0x9F (cp1252
quotes and dashes, Latin-1 C1 controls) are in neither table and pass through untouched.
The toned capitals that TCVN 5712 set VN1 puts there (and in C0 controls) are not part
of the ABC set and are not decoded.  TCVN3 ư is 0xAD, a soft hyphen in cp1252, so
text that went through a tool that drops soft hyphens has lost its ư.

Detection (``detect_legacy``) decodes the text both ways and compares the
whitespace-separated words that contain an ASCII letter before and after.  An encoding
is chosen only if at least 3 distinct words become valid Vietnamese syllables
(``orthography.is_valid_syllable``) that were not valid before, the share of valid words
rises by at least 0.3, and at least 0.6 of the words are valid after conversion.
Unicode Vietnamese is already valid, so it gains nothing.  Words with é, ü or ß from
other languages, and stray µ ¶ © « signs, seldom decode to new syllables.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from types import MappingProxyType
from typing import Iterable, Iterator

from .orthography import is_valid_syllable
from .tokenize import WORD, tokenize

ENCODINGS = ("tcvn3", "vni")
MODES = ("auto", "tcvn3", "vni", "off")

# Column order of both tables: the letter without tone, then huyền, hỏi, ngã, sắc, nặng
# (the order the published TCVN3 table runs in).
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

# TCVN3 byte values; "--" means the letter is plain ASCII.
_TCVN3_ROWS = """
a  --  B5 B6 B7 B8 B9
ă  A8  BB BC BD BE C6
â  A9  C7 C8 C9 CA CB
e  --  CC CE CF D0 D1
ê  AA  D2 D3 D4 D5 D6
i  --  D7 D8 DC DD DE
o  --  DF E1 E2 E3 E4
ô  AB  E5 E6 E7 E8 E9
ơ  AC  EA EB EC ED EE
u  --  EF F1 F2 F3 F4
ư  AD  F5 F6 F7 F8 F9
y  --  FA FB FC FD FE
đ  AE
Ă  A1
Â  A2
Ê  A3
Ô  A4
Ơ  A5
Ư  A6
Đ  A7
"""

# VNI sequences as cp1252 text (lower case; each capital is the upper case of both bytes).
_VNI_ROWS = """
a  a   aø  aû  aõ  aù  aï
ă  aê  aè  aú  aü  aé  aë
â  aâ  aà  aå  aã  aá  aä
e  e   eø  eû  eõ  eù  eï
ê  eâ  eà  eå  eã  eá  eä
i  i   ì   æ   ó   í   ò
o  o   oø  oû  oõ  où  oï
ô  oâ  oà  oå  oã  oá  oä
ơ  ô   ôø  ôû  ôõ  ôù  ôï
u  u   uø  uû  uõ  uù  uï
ư  ö   öø  öû  öõ  öù  öï
y  y   yø  yû  yõ  yù  î
đ  ñ
"""


def _rows(spec: str):
    """Yield (code, letter) pairs of a table spec, skipping plain ASCII letters."""
    for line in spec.strip().splitlines():
        base, *codes = line.split()
        forms = [base] + [unicodedata.normalize("NFC", base + tone) for tone in _TONES]
        for form, code in zip(forms, codes):
            if code != "--" and not form.isascii():
                yield code, form


def _build_tcvn3() -> dict[str, str]:
    rows = _rows(_TCVN3_ROWS)
    return {bytes([int(code, 16)]).decode("cp1252"): form for code, form in rows}


def _build_vni() -> dict[str, str]:
    table = {}
    for code, form in _rows(_VNI_ROWS):
        table[code] = form
        table[code.upper()] = form.upper()
    return table


TCVN3 = MappingProxyType(_build_tcvn3())
VNI = MappingProxyType(_build_vni())
TABLES = MappingProxyType({"tcvn3": TCVN3, "vni": VNI})

# Longest codes first, so VNI "ôø" (ờ) wins over "ô" (ơ).
_PATTERNS = {
    name: re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
    for name, table in TABLES.items()
}


def _build_codes(name: str) -> dict[str, str]:
    codes = {letter: code for code, letter in TABLES[name].items()}
    # Capital-font convention: a capital TCVN3 lacks is typed with its lower-case code.
    for letter, code in list(codes.items()):
        codes.setdefault(letter.upper(), code)
    return codes


_CODES = {name: _build_codes(name) for name in ENCODINGS}

# Lower-case TCVN3 letters, which the recasing below turns into capitals.
_TCVN3_LOWER = frozenset(v for v in TCVN3.values() if v.islower())
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_LINE = re.compile(r"[^\r\n]+")


def _table(encoding: str):
    if encoding not in TABLES:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected 'tcvn3' or 'vni'")
    return TABLES[encoding]


def _is_caps_word(word: str) -> bool:
    """A word typed in capitals: no ASCII lower case, an ASCII capital after the first
    letter (so "Mỹ" = "Mü" stays title case)."""
    return not any("a" <= c <= "z" for c in word) and any("A" <= c <= "Z" for c in word[1:])


def _capitalize(text: str) -> str:
    return "".join(c.upper() if c in _TCVN3_LOWER else c for c in text)


def _recase_tcvn3_line(match: re.Match) -> str:
    line = match.group()
    words = _LETTER_RUN.findall(line)
    if not any("a" <= c <= "z" for c in line) and any(map(_is_caps_word, words)):
        return _capitalize(line)  # a heading in capitals: "X·" there is XÃ, not Xã
    return _LETTER_RUN.sub(
        lambda m: _capitalize(m.group()) if _is_caps_word(m.group()) else m.group(), line
    )


def decode_legacy(text: str, encoding: str) -> str:
    """Convert legacy mojibake (as read with cp1252 or Latin-1) into NFC Unicode.

    Codes are matched greedily, longest first, left to right; everything else is kept.
    For TCVN3, a word typed in capitals (or a line of them) gets its toned letters,
    which TCVN3 can only write in lower case, in capitals too: "CéNG" -> "CỘNG".
    """
    table = _table(encoding)
    # NFC first: a decomposed "a" + U+0302 is still the VNI mark byte "â".
    text = unicodedata.normalize("NFC", text)
    decoded = _PATTERNS[encoding].sub(lambda m: table[m.group()], text)
    if encoding == "tcvn3":
        decoded = _LINE.sub(_recase_tcvn3_line, decoded)
    return decoded


def encode_legacy(text: str, encoding: str) -> str:
    """Write Unicode Vietnamese as legacy mojibake: the inverse of ``decode_legacy``.

    Characters without a code are kept as they are (so µ or © would not survive a
    round trip).  TCVN3 capitals with a tone are written with their lower-case code.
    """
    _table(encoding)
    codes = _CODES[encoding]
    return "".join(codes.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def _words(chunk: str) -> tuple[str, ...]:
    return tuple(t.text.lower() for t in tokenize(chunk) if t.kind == WORD)


def _valid(words: tuple[str, ...]) -> bool:
    return bool(words) and all(is_valid_syllable(w) for w in words)


# Detection thresholds; see the module docstring.
_MIN_NEW_WORDS = 3
_MIN_GAIN = 0.3
_MIN_VALID_AFTER = 0.6


def _evidence(text: str, encoding: str) -> tuple[float, int] | None:
    """(gain in valid-word share, distinct newly valid words) if `encoding` passes the
    detection rule for NFC `text`, else None."""
    decoded = decode_legacy(text, encoding)
    if decoded == text:
        return None
    before, after = text.split(), decoded.split()
    if len(before) != len(after):  # no code is whitespace, so this cannot happen
        return None
    total = valid_before = valid_after = 0
    new_words = set()
    for old, new in zip(before, after):
        # Only words with an ASCII letter: a lone "µ" or "«" would turn into à or ô.
        if not any(c.isascii() and c.isalpha() for c in old):
            continue
        total += 1
        words = _words(new)
        was_valid, is_valid = _valid(_words(old)), _valid(words)
        valid_before += was_valid
        valid_after += is_valid
        if is_valid and not was_valid:
            new_words.add(words)
    if not total:
        return None
    gain = (valid_after - valid_before) / total
    if (
        len(new_words) >= _MIN_NEW_WORDS
        and gain >= _MIN_GAIN
        and valid_after / total >= _MIN_VALID_AFTER
    ):
        return gain, len(new_words)
    return None


def detect_legacy(text: str) -> str | None:
    """Return "tcvn3" or "vni" if `text` is clearly legacy mojibake, else None."""
    # NFC so that decomposed Unicode Vietnamese counts as the valid text it is.
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return None
    best = None
    for encoding in ENCODINGS:
        evidence = _evidence(text, encoding)
        if evidence is not None and (best is None or evidence > best[0]):
            best = (evidence, encoding)
    return best[1] if best else None


def convert(text: str, mode: str = "auto") -> tuple[str, str | None]:
    """Decode legacy text per `mode` ("auto", "tcvn3", "vni" or "off").

    Returns (text, encoding applied or None); "auto" decodes only what
    ``detect_legacy`` recognises and otherwise returns the text unchanged.
    """
    if mode not in MODES:
        raise ValueError(
            f"unknown legacy-encoding mode {mode!r}; expected one of {', '.join(MODES)}"
        )
    encoding = detect_legacy(text) if mode == "auto" else None if mode == "off" else mode
    if encoding is None:
        return text, None
    return decode_legacy(text, encoding), encoding


_DETECT_CHARS = 64_000  # how much of a stream "auto" looks at before deciding


def convert_lines(lines: Iterable[str], mode: str = "auto") -> Iterator[str]:
    """Decode a stream of lines per `mode`; "auto" decides once, from the first
    ~64 K characters, so a document is never converted in one part and not another."""
    if mode == "off":
        yield from lines
        return
    lines = iter(lines)
    head: list[str] = []
    if mode == "auto":
        size = 0
        for line in lines:
            head.append(line)
            size += len(line)
            if size >= _DETECT_CHARS:
                break
        encoding = detect_legacy("".join(head))
    else:
        convert("", mode)  # validates the mode
        encoding = mode
    for line in itertools.chain(head, lines):
        yield decode_legacy(line, encoding) if encoding else line
