"""Vietnamese syllable structure: tones, vowel marks, accent-stripped keys, tone placement.

A written syllable is  onset + rhyme + tone.  The tone is one combining mark placed on
one vowel of the rhyme; which vowel is a matter of spelling convention, so this module
separates the tone from the letters, and puts it back by rule:

* ``split_tone("hoà") == ("hoa", HUYEN)`` and ``place_tone("hoa", HUYEN, "new") == "hòa"``.
* ``key("Hoà") == "hoa"`` — the accent-stripped, lower-case form every lexicon lookup uses.

Styles (the names follow the project's convention): ``new`` puts the tone of the open
rhymes oa, oe, uy on the first vowel (hòa, hòe, thủy); ``old`` on the second (hoà, hoè,
thuỷ).  All other syllables are spelled the same in both.

Everything here works on lower-case NFC strings unless said otherwise; the model build
and the runtime both call these functions, so the two always agree on spelling.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

STYLES = ("new", "old")

# Tones, in the order the model files use.
NGANG, SAC, HUYEN, HOI, NGA, NANG = range(6)
TONE_MARKS = {"\u0301": SAC, "\u0300": HUYEN, "\u0309": HOI, "\u0303": NGA, "\u0323": NANG}
_MARK_OF_TONE = {tone: mark for mark, tone in TONE_MARKS.items()}

# Vowel-quality marks (ă â ê ô ơ ư); together with the tone marks and đ they are what
# "accent-stripped" text has lost.
_QUALITY_MARKS = {"\u0306", "\u0302", "\u031b"}
_MARKED_VOWELS = set("ăâêôơư")
VOWELS = set("aăâeêioôơuưy")

ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
)
_STOP_CODAS = ("c", "ch", "k", "p", "t")

# Valid rhymes (without tone), as glide + nucleus + coda spelled out.  "i"/"y" and
# "o"/"u" as final semivowels are part of the rhyme here.  After "qu" the glide u is in
# the onset, so rhymes such as "a", "ân", "yên" follow it.
_RHYMES = """
a ac ach ai am an ang anh ao ap at au ay
ăc ăk ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
y yêm yên yêng yêt yêu
o oc oi om on ong op ot oong ooc
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôp uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt
oe oem oen oeo oet
uy uya uych uyên uyêt uyn uynh uyp uyt uyu
uân uâng uât uây uê uêch uênh uơ
""".split()
RHYMES = frozenset(_RHYMES)

# Accented letters that accent-stripping folds onto a plain one, for fast checks.
_VIETNAMESE_SPECIAL = regex.compile(r"[^\x00-\x7f]")


class _StripTable(dict):
    """``str.translate`` table: a combining mark -> None (dropped), anything else ->
    itself, đ/Đ -> d/D; each character is classified once, on first sight, so one
    translate call does what a Python loop over the characters did (5-10x faster)."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        value = None if unicodedata.combining(char) else {"đ": "d", "Đ": "D"}.get(char, char)
        self[code] = value
        return value


_STRIP = _StripTable()


def strip_accents(text: str) -> str:
    """Remove every combining mark and turn đ/Đ into d/D, keeping case and everything else.

    This is the "what the user would have typed without diacritics" view of any text,
    used for keys and for the property that restoring never changes the stripped form.
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_STRIP))


def key(form: str) -> str:
    """The lookup key of a word: accent-stripped and lower-cased ("Đảng" -> "dang")."""
    return strip_accents(form).lower()


def has_accents(word: str) -> bool:
    """True when the word carries any Vietnamese mark or đ (i.e. is not plain ASCII)."""
    return bool(_VIETNAMESE_SPECIAL.search(word))


@lru_cache(maxsize=65536)
def split_tone(syllable: str) -> tuple[str, int]:
    """Split a lower-case syllable into (letters without tone, tone)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = NGANG
    letters = []
    for ch in decomposed:
        mark_tone = TONE_MARKS.get(ch)
        if mark_tone is None:
            letters.append(ch)
        else:
            tone = mark_tone
    return unicodedata.normalize("NFC", "".join(letters)), tone


def _split_onset(letters: str) -> tuple[str, str]:
    """Split toneless letters into (onset, rest); "gi" and "qu" count as onsets only
    when a vowel follows them (gì = g + ì, giá = gi + á)."""
    for onset in ONSETS:
        if letters.startswith(onset):
            rest = letters[len(onset):]
            if onset in ("gi", "qu") and not (rest and rest[0] in VOWELS):
                continue
            return onset, rest
    return "", letters


def _split_rhyme(rest: str) -> tuple[str, str]:
    """Split a rhyme into (vowel cluster, coda)."""
    i = 0
    while i < len(rest) and rest[i] in VOWELS:
        i += 1
    return rest[:i], rest[i:]


def _tone_position(cluster: str, coda: str, style: str) -> int:
    """Index in the vowel cluster that carries the tone mark."""
    if "ươ" in cluster:
        return cluster.index("ươ") + 1
    marked = [i for i, ch in enumerate(cluster) if ch in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    if coda or len(cluster) == 1:
        return len(cluster) - 1
    if len(cluster) >= 3:
        return 1
    if cluster in ("oa", "oe", "uy"):
        return 0 if style == "new" else 1
    return 0


def place_tone(letters: str, tone: int, style: str = "new") -> str:
    """Put `tone` on the right vowel of toneless lower-case `letters`."""
    if tone == NGANG:
        return letters
    onset, rest = _split_onset(letters)
    cluster, coda = _split_rhyme(rest)
    if not cluster:
        return letters
    pos = len(onset) + _tone_position(cluster, coda, style)
    marked = unicodedata.normalize("NFD", letters[pos]) + _MARK_OF_TONE[tone]
    return letters[:pos] + unicodedata.normalize("NFC", marked) + letters[pos + 1:]


@lru_cache(maxsize=65536)
def normalize_syllable(syllable: str, style: str = "new") -> str:
    """Re-spell a lower-case syllable with its tone where `style` puts it."""
    letters, tone = split_tone(syllable)
    return place_tone(letters, tone, style)


@lru_cache(maxsize=65536)
def is_valid_syllable(syllable: str) -> bool:
    """Whether a lower-case NFC string is a well-formed Vietnamese syllable.

    Checks onset, rhyme against the rhyme inventory, spelling constraints (k/gh/ngh only
    before front vowels), and that stop finals -c -ch -p -t take only sắc or nặng.
    """
    if not syllable or not syllable.isalpha():
        return False
    letters, tone = split_tone(syllable)
    decomposed = unicodedata.normalize("NFD", syllable)
    if sum(ch in TONE_MARKS for ch in decomposed) > 1:
        return False
    onset, rest = _split_onset(letters)
    if onset == "qu":
        # quynh, quýt: the u of the onset doubles as the glide of rhymes uynh, uyt
        if rest not in RHYMES and "u" + rest not in RHYMES:
            return False
    elif onset == "gi":
        # giếng = gi + iêng with the i written once
        if rest not in RHYMES and "i" + rest not in RHYMES:
            return False
    elif rest not in RHYMES:
        return False
    # k before a/o/ô is kept: it spells names (Bắc Kạn, Kon Tum, Đắk Lắk).
    if onset in ("gh", "ngh") and rest[:1] not in ("i", "e", "ê"):
        return False
    if onset in ("c", "ng") and rest[:1] in ("i", "e", "ê"):
        return False
    cluster, coda = _split_rhyme(rest)
    if coda in _STOP_CODAS and tone not in (SAC, NANG):
        return False
    return True
