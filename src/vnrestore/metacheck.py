"""Check a model's ``model.json`` before anything is read with it.

A hand-edited, truncated or foreign ``model.json`` must give one ``ModelError`` naming
the file and the field, never a KeyError or TypeError from deep inside the loader.  The
schema is small and written out here rather than taken from a validator library: its
messages say what to do, and it checks what JSON Schema cannot (arrays inside lm.bin).

The array layout is checked generically over ``meta["arrays"]`` (name -> dtype, offset,
length); which arrays a format version must have is the one table ``REQUIRED_ARRAYS``,
so a new layout adds a line there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import ModelError

# Format version -> the array names it needs, given the n-gram order.
REQUIRED_ARRAYS: dict[int, Callable[[int], list[str]]] = {
    2: lambda order: (["unigram_logp", "unigram_backoff"]
                      + [f"{kind}{n}" for n in range(2, order + 1)
                         for kind in ("offsets", "remainders", "logp", "logp_book")]
                      + [f"{kind}{n}" for n in range(2, order) for kind in ("backoff", "backoff_book")]),
}
# Little-endian (or byte-order-free) numbers: what write_arrays writes.
DTYPES = frozenset({"<f2", "<f4", "<f8", "|u1", "|i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8"})
MAX_ORDER = 9
REQUIRED_FILES = ("vocab.tsv", "lm.bin")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_meta(meta: object, path: Path, supported: int) -> dict:
    """Return `meta` if it is a usable model.json of format version `supported`, else
    raise ``ModelError`` naming `path` and the first bad field.  Arrays are checked
    against the size of the lm.bin beside it when that file exists."""
    def fail(field: str, problem: str) -> ModelError:
        return ModelError(f"{path}: {field} {problem}")

    if not isinstance(meta, dict):
        raise ModelError(f"{path}: expected a JSON object, not {_kind(meta)}")
    version = meta.get("format_version")
    if version != supported or isinstance(version, bool):
        raise ModelError(f"{path}: model format version {version!r}, this vnrestore reads version "
                         f"{supported}; rebuild the model with `vnrestore build-model`")
    order = _whole(meta, "order", fail, low=2, high=MAX_ORDER)
    _whole(meta, "vocab_size", fail, low=1)
    files = _field(meta, "files", dict, fail)
    for name in REQUIRED_FILES:
        if name not in files:
            raise fail("'files'", f"has no entry for {name}")
    for name, digest in files.items():
        if not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            raise fail(f"'files.{name}'", f"must be a SHA-256 (64 hex digits), not {digest!r}")
    inputs = meta.get("inputs", [])
    if not isinstance(inputs, list):
        raise fail("'inputs'", f"must be a list, not {_kind(inputs)}")
    for i, entry in enumerate(inputs):
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("sha256"), str)):
            raise fail(f"'inputs[{i}]'", "must be an object with 'file' and 'sha256' strings")
    arrays = _field(meta, "arrays", dict, fail)
    missing = [name for name in REQUIRED_ARRAYS[supported](order) if name not in arrays]
    if missing:
        raise fail("'arrays'", f"lacks {', '.join(missing)} (an order-{order} model of format "
                               f"version {supported} needs them)")
    tables = _field(meta, "tables", dict, fail)
    for n in range(2, order + 1):
        table = tables.get(str(n))
        if not isinstance(table, dict):
            raise fail(f"'tables.{n}'", f"must be an object with bits and bucket_bits, not {_kind(table)}")
        bits = _whole(table, "bits", fail, low=1, high=64, prefix=f"'tables.{n}'")
        _whole(table, "bucket_bits", fail, low=0, high=bits, prefix=f"'tables.{n}'")
    lm_bin = path.parent / "lm.bin"
    size = lm_bin.stat().st_size if lm_bin.is_file() else None
    for name, spec in arrays.items():
        where = f"'arrays.{name}'"
        if not isinstance(spec, dict):
            raise fail(where, f"must be an object with dtype, offset and length, not {_kind(spec)}")
        dtype = spec.get("dtype")
        if dtype not in DTYPES:
            raise fail(f"{where}.dtype", f"must be one of {', '.join(sorted(DTYPES))}, not {dtype!r}")
        offset = _whole(spec, "offset", fail, low=0, prefix=where)
        length = _whole(spec, "length", fail, low=0, prefix=where)
        end = offset + length * np.dtype(dtype).itemsize
        if size is not None and end > size:
            raise ModelError(f"{path}: {where} ends at byte {end:,}, past the end of {lm_bin} "
                             f"({size:,} bytes): truncated lm.bin or wrong layout")
    return meta


def _field(meta: dict, name: str, kind: type, fail) -> dict:
    if name not in meta:
        raise fail(f"'{name}'", "is missing")
    value = meta[name]
    if not isinstance(value, kind):
        raise fail(f"'{name}'", f"must be {_kind(kind())}, not {_kind(value)}")
    return value


def _whole(meta: dict, name: str, fail, *, low: int, high: int | None = None, prefix: str = "") -> int:
    field = f"{prefix}.{name}" if prefix else f"'{name}'"
    if name not in meta:
        raise fail(field, "is missing")
    value = meta[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(field, f"must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise fail(field, f"must be {bound}, not {value}")
    return value


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
