"""Fixtures shared by test files: one Restorer with the packaged model, and a small OCR
error model learned from made-up pairs (used by the learning tests in test_ocrlearn.py
and the scoring tests in test_ocrmodel.py)."""

from __future__ import annotations

import functools
import json
import lzma
from pathlib import Path

import pytest

from vnrestore import Restorer
from vnrestore.ocrlearn import build_confusions
from vnrestore.ocrmodel import ConfusionTable


@functools.lru_cache(maxsize=None)
def shared_restorer() -> Restorer:
    """The packaged model with the default options, loaded once for every test file that
    needs no other (a Restorer is read-only, and loading is the slow part); test files
    call it where a fixture cannot reach (hypothesis strategies, helpers)."""
    return Restorer()


def build_small(root: Path, text: str, **options) -> Path:
    """A model built into `root`/model from `text`, a tiny corpus a test wrote (saved as
    `root`/corpus.txt): no fallback inventory, trigrams seen once kept, one job, unless
    `options` (``build_model``'s) say otherwise."""
    from vnrestore.build import build_model  # the build's imports only where a test builds

    corpus = root / "corpus.txt"
    corpus.write_text(text, encoding="utf-8")
    build_model([corpus], root / "model", **{"fallback": None, "order": 3, "cutoffs": {3: 1}, "jobs": 1, **options})
    return root / "model"


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    """`shared_restorer()`; a test file that needs other options defines its own."""
    return shared_restorer()

# A made-up fixture: how an English OCR model might read a handful of syllables.  Each
# entry lists the OCR readings of the syllable, used in turn.
_READINGS = {
    "của": ["ciia", "ciia", "ciia", "cua"],
    "cửa": ["ctra", "cira"],
    "cũng": ["cting", "cung"],
    "các": ["cac", "cic"],
    "tên": ["tén"],
    "bên": ["bén", "bén", "ben"],
    "lên": ["lén"],
    "trên": ["trén"],
    "về": ["vé"],
    "nhà": ["nha"],
    "nước": ["nudc", "nuéc"],
    "năm": ["nim", "nam"],
    "tôi": ["téi", "t6i"],
    "đi": ["di"],
    "xã": ["x3", "xa"],
    "làm": ["1am", "lam"],
    "nhiều": ["nhiéu"],
    "mới": ["mdi"],
    "và": ["va"],
    "thủ": ["thii", "thu"],
    "cho": ["cho"],
}
_SENTENCES = [
    "của nhà tôi và cửa nhà tôi",
    "bên trên cũng về nhà của tôi",
    "năm mới đi lên xã làm nhiều",
    "các tên của nước cho thủ làm",
    "Của nhà về bên, tên của tôi.",
]


def _fixture_pairs(repeat: int = 12) -> list[tuple[str, str]]:
    used: dict[str, int] = {}
    pairs = []
    for _ in range(repeat):
        for sentence in _SENTENCES:
            words = []
            for token in sentence.split(" "):
                word = token.rstrip(",.")
                tail = token[len(word):]
                readings = _READINGS[word.lower()]
                n = used.get(word.lower(), 0)
                used[word.lower()] = n + 1
                reading = readings[n % len(readings)]
                if word[0].isupper():
                    reading = reading[0].upper() + reading[1:]
                words.append(reading + tail)
            pairs.append((sentence, " ".join(words)))
    return pairs


def _write_pairs(path: Path, pairs) -> Path:
    with lzma.open(path, "wt", encoding="utf-8") as handle:
        for gold, ocr in pairs:
            handle.write(json.dumps({"gold": gold, "ocr": ocr, "page": 0}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def fixture_files(tmp_path_factory) -> list[Path]:
    directory = tmp_path_factory.mktemp("ocr")
    pairs = _fixture_pairs()
    half = len(pairs) // 2
    return [_write_pairs(directory / "train-a.jsonl.xz", pairs[:half]),
            _write_pairs(directory / "train-b.jsonl.xz", pairs[half:])]


@pytest.fixture(scope="module")
def table(fixture_files) -> ConfusionTable:
    return build_confusions(fixture_files)


@pytest.fixture(scope="module", params=["compiled", "pure"])
def both_decoders(request):
    """Run a module's tests with the compiled decoder and again with the pure one
    (VNRESTORE_PURE=1): both paths must give the same restorations, so tests that hold
    for one must hold for the other.  Module-scoped, so hypothesis tests can use it."""
    from vnrestore import lm

    with pytest.MonkeyPatch.context() as patch:
        if request.param == "compiled":
            if lm._native is None:
                pytest.skip("the compiled decoder was not built")
            patch.delenv("VNRESTORE_PURE", raising=False)
        else:
            patch.setenv("VNRESTORE_PURE", "1")
        yield request.param
