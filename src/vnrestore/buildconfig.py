"""The defaults and limits of `build-model`, kept apart from the build itself: the
command line shows them in its help, and importing `build` (gzip, lzma, the gazetteer
and the estimation code) at every start cost `vnrestore fix` about 20 ms."""

from __future__ import annotations

from .lm import ID_BITS
from .model import default_model_dir

DEFAULT_ORDER = 3
MAX_ORDER = 64 // ID_BITS
DEFAULT_CUTOFFS = {2: 1, 3: 2, 4: 2}
DEFAULT_MIN_WORD_COUNT = 20  # non-syllable words seen this often get an LM symbol of their own
DEFAULT_GAZETTEER_WEIGHT = 1  # times each gazetteer entry is counted
DEFAULT_TRIGGER_ENTRIES = 400_000  # (form, context key) scores of the trigger table (``triggers``)
UNSPECIFIED_LICENCE = "not stated: the licences of the input corpora apply (see 'inputs')"
# What a corpus directory contributes (``--glob`` chooses others, e.g. to leave out side
# files such as a title list kept as .txt beside the corpus).
CORPUS_PATTERNS = ("*.txt", "*.txt.xz", "*.txt.gz")
# The syllable inventory shipped with the package (derived from soe-vinorm, MIT; see
# lexicon/PROVENANCE.md): without it, a model built from a small corpus could offer no
# form for a key its corpus never wrote.
DEFAULT_FALLBACK = default_model_dir() / "syllables.txt"
MIXES = ("counts", "interpolate")  # how components are combined (build.estimate)
