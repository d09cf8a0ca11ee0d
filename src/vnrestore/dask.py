"""Restore diacritics on a Dask cluster (needs the extra: ``pip install 'vnrestore[dask]'``).

Usage (not a doctest: it needs a running cluster)::

    from distributed import Client
    import dask.bag as db
    from vnrestore.dask import restore_bag, restore_files

    client = Client("tcp://scheduler:8786")
    lines = db.read_text("/shared/corpus/*.txt").str.rstrip("\n")  # one text per line
    restore_bag(lines).to_textfiles("/shared/restored/*.txt", last_endline=True)
    report = restore_files(["/shared/in"], "/shared/out", client=client)
    failed = [(path, error) for path, error in report if error]

Each worker process loads the model once, on its first task, and keeps it for later
tasks and later computations; only the model path and the (frozen) ``Options`` travel
to the workers, never a loaded model, which is memory-mapped.  Paths (model, inputs,
output directory) must therefore name the same files on every worker: use a shared
filesystem on a real cluster.

``import vnrestore`` does not import this module or Dask.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable

import dask
import dask.bag as db

from . import batch
from .pipeline import Options, Restorer

__all__ = ["restore_bag", "restore_files"]

# Worker-side cache: one Restorer per (model path, options) per process.
_RESTORERS: dict[tuple[str | None, Options], Restorer] = {}
_LOCK = threading.Lock()

# Above this many files, several files share one task (fewer tasks for the scheduler);
# below it every file is its own task, which balances files of uneven size best.
_MAX_TASKS = 10_000


def _restorer(model: str | None, options: Options) -> Restorer:
    """This process's Restorer for (model, options), loaded on first use."""
    key = (model, options)
    restorer = _RESTORERS.get(key)
    if restorer is None:
        with _LOCK:  # several worker threads may ask at once: load only once
            restorer = _RESTORERS.get(key)
            if restorer is None:
                restorer = _RESTORERS[key] = Restorer(model, options)
    return restorer


def _model_key(model: str | os.PathLike | None) -> str | None:
    return None if model is None else os.fspath(model)


def _options(options: Options | None) -> Options:
    if options is None:
        return Options()
    if not isinstance(options, Options):
        raise TypeError(f"options must be a vnrestore.Options, not {type(options).__name__}")
    return options


def _restore_partition(texts: Iterable[str], model: str | None, options: Options) -> list[str]:
    restorer = _restorer(model, options)
    return [restorer.restore(text) for text in texts]


def restore_bag(bag: db.Bag, *, model: str | os.PathLike | None = None,
                options: Options | None = None) -> db.Bag:
    """A bag of the restored texts of `bag`'s elements (strings), in the same order.

    Lazy, like any bag operation: nothing runs until the result is computed.  `model`
    is a model directory readable by every worker (None: the packaged model)."""
    return bag.map_partitions(_restore_partition, _model_key(model), _options(options))


def _restore_pairs(pairs: Iterable[tuple[Path, Path]], model: str | None, options: Options,
                   errors: str) -> list[str | None]:
    restorer = _restorer(model, options)
    return [batch._restore_file(source, target, errors, restorer)[1] for source, target in pairs]


def restore_files(inputs: list[str], outdir: str | os.PathLike, *, model: str | os.PathLike | None = None,
                  options: Options | None = None, errors: str = "strict", client=None,
                  pattern: str = "*.txt") -> list[tuple[str, str | None]]:
    """Restore files into `outdir` as ``vnrestore fix INPUTS -o OUTDIR/`` does, the work
    spread over Dask workers; return (input path, error message or None) per file.

    Inputs are mapped to outputs by ``vnrestore.batch.plan`` (directories are walked
    for `pattern` and mirrored under `outdir`) and each file is written by the same
    function as the command line uses, so the bytes are the same.  A file that cannot
    be read or written is reported and skipped; the others are still done.  `errors`
    is "strict" (invalid UTF-8 fails the file) or "replace".  Runs on `client` if given,
    else on Dask's default scheduler."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    pairs = batch.plan(inputs, Path(outdir), pattern)
    if not pairs:
        return []
    # Absolute paths, so that workers started in another directory find the same files.
    work = [(source.absolute(), target.absolute()) for source, target in pairs]
    bag = db.from_sequence(work, npartitions=min(len(work), _MAX_TASKS))
    tasks = bag.map_partitions(_restore_pairs, _model_key(model), _options(options), errors)
    if client is not None:
        messages = client.compute(tasks).result()
    else:
        (messages,) = dask.compute(tasks)
    return [(str(source), message) for (source, _), message in zip(pairs, messages)]
