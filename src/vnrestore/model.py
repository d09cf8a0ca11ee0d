"""Find, check and load model files: the packaged default or a directory given by path.

A model directory holds three files:

* ``model.json`` — format version, array layout of ``lm.bin``, SHA-256 of the other
  files, counts, smoothing parameters, inputs and licence (what ``vnrestore info`` shows);
* ``vocab.tsv``  — one LM symbol per line with its corpus count; line order is the id;
* ``lm.bin``     — the n-gram arrays back to back (layout in ``model.json``), per order
  a hashed table (``lm.HashedTable``).
* ``abbreviations.tsv``, ``expansions.tsv``, ``ocr-confusions.tsv`` — optional:
  abbreviations, the LM readings of abbreviations, and the OCR error table (without
  one, the packaged table is used).

``model.json`` is checked whole first (``metacheck``), so a damaged one is one
``ModelError`` naming the field.

Arrays are memory-mapped read-only, so processes that load the same model share its
pages, and nothing is unpickled.  Loading checks the format version and the hashes and
raises ``ModelError`` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import mmap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import ModelError
from .candidates import Lexicon
from .lm import NgramLM, from_file_arrays
from .metacheck import check_meta
from .ocrmodel import ConfusionTable
from .triggers import TRIGGERS_FILE, TriggerTable

# 2: n-grams in hashed tables with 8-bit quantised values (lm.HashedTable; parameters
#    under "tables" in model.json).  1: sorted uint64 keys and float16 values.
FORMAT_VERSION = 2
META_FILE = "model.json"
VOCAB_FILE = "vocab.tsv"
LM_FILE = "lm.bin"
ABBREVIATIONS_FILE = "abbreviations.tsv"  # optional
EXPANSIONS_FILE = "expansions.tsv"  # optional: abbreviation -> the LM symbols it is read as

OCR_FILE = "ocr-confusions.tsv"  # optional: without it, the packaged OCR error table
_OPTIONAL_FILES = (ABBREVIATIONS_FILE, EXPANSIONS_FILE, OCR_FILE, TRIGGERS_FILE)
_ALIGN = 16


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> dict:
    """Write arrays back to back (aligned) and return their layout for model.json."""
    layout = {}
    offset = 0
    with open(path, "wb") as handle:
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            pad = (-offset) % _ALIGN
            handle.write(b"\0" * pad)
            offset += pad
            data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
            handle.write(data)
            layout[name] = {"dtype": array.dtype.str.replace(">", "<").replace("=", "<"),
                            "offset": offset, "length": int(array.size)}
            offset += len(data)
    return layout


def default_model_dir() -> Path:
    return Path(str(resources.files("vnrestore.lexicon")))


@dataclass(frozen=True)
class Model:
    """Everything decoding needs, loaded once and shared read-only."""

    path: Path
    meta: dict
    lexicon: Lexicon
    lm: NgramLM
    abbreviations: dict[str, str]  # typed without diacritics -> abbreviation (HDND -> HĐND)
    # where each abbreviation of the table came from ("list" or "corpus"), by plain spelling
    abbreviation_origin: dict[str, str] = field(default_factory=dict)
    # abbreviation -> (the LM symbols it is read as, where that reading came from)
    expansions: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    ocr_table: ConfusionTable | None = None  # the OCR error model, parsed and checked at load
    triggers: TriggerTable | None = None  # words 3 to 6 words away weighing a word's forms (``triggers``)

    @classmethod
    def load(cls, path: str | Path | None = None, *, verify: bool = True) -> "Model":
        directory = Path(path) if path is not None else default_model_dir()
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise ModelError(f"{meta_path}: no model metadata here (is this a model directory?)")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{meta_path}: not valid JSON ({exc})") from None
        check_meta(meta, meta_path, FORMAT_VERSION)
        for name in (VOCAB_FILE, LM_FILE, *(n for n in meta["files"] if n in _OPTIONAL_FILES)):
            file = directory / name
            if not file.is_file():
                raise ModelError(f"{file}: missing model file")
            if verify and file_sha256(file) != meta["files"][name]:
                raise ModelError(f"{file}: contents do not match the hash in {META_FILE} (corrupt or partial copy)")
        symbols, counts, capitalized = _read_vocab(directory / VOCAB_FILE)
        if len(symbols) != meta["vocab_size"]:
            raise ModelError(f"{directory / VOCAB_FILE}: {len(symbols)} entries, {META_FILE} says {meta['vocab_size']}")
        arrays = _map_arrays(directory / LM_FILE, meta["arrays"])
        lm = from_file_arrays(arrays, meta["tables"], meta["order"])
        abbreviations, origin, expansions = {}, {}, {}
        if ABBREVIATIONS_FILE in meta["files"]:
            abbreviations, origin = _read_abbreviations(directory / ABBREVIATIONS_FILE)
        if EXPANSIONS_FILE in meta["files"]:
            expansions = _read_expansions(directory / EXPANSIONS_FILE)
        lexicon = Lexicon(symbols, counts, capitalized)
        triggers = (TriggerTable.read(directory / TRIGGERS_FILE, lexicon.ids) if TRIGGERS_FILE in meta["files"]
                    else None)
        return cls(directory, meta, lexicon, lm, abbreviations, origin, expansions,
                   ConfusionTable.read_tsv(ocr_table_file(directory)), triggers)


def table_file(directory: Path, name: str) -> Path:
    """A table of a model directory that describes the writing or the OCR engine rather
    than the corpus (the OCR error table, the tables of codes): the directory's own copy
    when it has one, else the packaged one, which serves user-built models too."""
    own = directory / name
    return own if own.is_file() else default_model_dir() / name


def ocr_table_file(directory: Path) -> Path:
    """The OCR error table of a model directory (build-model writes its own copy, with
    its hash in model.json), else the packaged one."""
    return table_file(directory, OCR_FILE)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tsv_rows(path: Path, columns: tuple[str, ...], optional: int = 0):
    """(line number, fields) of a model TSV file, comment lines skipped; a line with
    another number of fields (the last `optional` columns may be left out) is an error
    naming the file, the line and the columns."""
    expected = "<TAB>".join(columns)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if not len(columns) - optional <= len(fields) <= len(columns):
                raise ModelError(f"{path}:{number}: expected '{expected}'")
            yield number, fields


def _read_vocab(path: Path) -> tuple[list[str], list[int], list[int]]:
    """Symbols, corpus counts and counts capitalized inside a sentence, in id order."""
    columns = ("symbol", "count", "count capitalized")
    symbols, counts, capitalized = [], [], []
    for number, (sym, count, cap) in _tsv_rows(path, columns):
        try:
            counts.append(int(count))
            capitalized.append(int(cap))
        except ValueError:
            raise ModelError(f"{path}:{number}: expected '{'<TAB>'.join(columns)}' with whole-number counts") from None
        symbols.append(sym)
    return symbols, counts, capitalized


def _read_abbreviations(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The abbreviation table: spelling typed without diacritics -> abbreviation, and
    where each came from (models built before the origin column: the list)."""
    table, origin = {}, {}
    for _, (plain, form, *source) in _tsv_rows(path, ("plain", "abbreviation", "from"), optional=1):
        table[plain], origin[plain] = form, source[0] if source else "list"
    return table, origin


def _read_expansions(path: Path) -> dict[str, tuple[tuple[str, ...], str]]:
    """Abbreviation -> (the LM symbols it is read as, where that reading came from)."""
    return {abbr: (tuple(expansion.split(" ")), source)
            for _, (abbr, expansion, source) in _tsv_rows(path, ("abbreviation", "expansion", "from"))}


def _map_arrays(path: Path, layout: dict) -> dict[str, np.ndarray]:
    with open(path, "rb") as handle:
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    arrays = {}
    for name, spec in layout.items():
        dtype = np.dtype(spec["dtype"])
        end = spec["offset"] + spec["length"] * dtype.itemsize
        if end > len(buffer):
            raise ModelError(f"{path}: array {name} runs past the end of the file (truncated?)")
        arrays[name] = np.frombuffer(buffer, dtype=dtype, count=spec["length"], offset=spec["offset"])
    return arrays
