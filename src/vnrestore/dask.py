"""Restore diacritics on a Dask cluster (needs the extra: ``pip install 'vnrestore[dask]'``).

Usage (not a doctest: it needs a running cluster)::

    from distributed import Client
    import dask.bag as db
    from vnrestore.dask import restore_bag, restore_files

    client = Client("tcp://scheduler:8786")
    lines = db.read_text("/shared/corpus/*.txt").str.rstrip("\n")  # one text per line
    restore_bag(lines).to_textfiles("/shared/restored/*.txt", last_endline=True)
    report = restore_files(["/shared/in"], "/shared/out", client=client,
                           user_lexicon="names.txt", mode="ocr")
    failed = [(path, error) for path, error in report if error]

An element or file that fails is reported, and the others are still restored:
``restore_bag`` puts a ``Failed`` value (the input and the message) in its place,
``restore_files`` returns the message beside the file.  ``on_error="raise"`` makes
``restore_bag`` fail the computation instead.

Each worker process loads the model once, on its first task, and keeps it for later
tasks and later computations; only the model path and the (frozen) ``Options`` travel
to the workers, never a loaded model, which is memory-mapped.  A user lexicon given as
a file is read once on the client (its warnings appear there) and its bonuses travel
with the tasks, so the file need not be visible to the workers.  Paths (model, inputs,
output directory) must therefore name the same files on every worker: use a shared
filesystem on a real cluster.

``import vnrestore`` does not import this module or Dask.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

import dask
import dask.bag as db

from . import batch
from .legacy import MODES as LEGACY_MODES, convert
from .pipeline import Options, Restorer
from .userlex import read_user_lexicon

__all__ = ["restore_bag", "restore_files", "Failed"]

# A user lexicon as it travels to workers: hashable, so it can key the cache.
_Bonuses = tuple[tuple[str, float], ...]
# Worker-side cache: one Restorer per (model path, options, user lexicon) per process.
_RESTORERS: dict[tuple[str | None, Options, _Bonuses], Restorer] = {}
_LOCK = threading.Lock()

# Above this many files, several files share one task (fewer tasks for the scheduler);
# below it every file is its own task, which balances files of uneven size best.
_MAX_TASKS = 10_000


@dataclass(frozen=True)
class Failed:
    """In a restored bag, in place of an element that could not be restored."""
    input: object
    error: str

    def __bool__(self) -> bool:  # `[t for t in result if t]` keeps the restored texts
        return False


def _restorer(model: str | None, options: Options, bonuses: _Bonuses = ()) -> Restorer:
    """This process's Restorer for (model, options, user lexicon), loaded on first use."""
    key = (model, options, bonuses)
    restorer = _RESTORERS.get(key)
    if restorer is None:
        with _LOCK:  # several worker threads may ask at once: load only once
            restorer = _RESTORERS.get(key)
            if restorer is None:
                restorer = _RESTORERS[key] = Restorer(model, options, user_lexicon=dict(bonuses))
    return restorer


def _model_key(model: str | os.PathLike | None) -> str | None:
    return None if model is None else os.fspath(model)


def _options(options: Options | None, mode: str | None = None) -> Options:
    if options is None:
        options = Options()
    elif not isinstance(options, Options):
        raise TypeError(f"options must be a vnrestore.Options, not {type(options).__name__}")
    return options if mode is None else replace(options, mode=mode)  # Options checks the mode


def _bonuses(user_lexicon: Mapping[str, float] | str | os.PathLike | None) -> _Bonuses:
    """A user lexicon file (read here, on the client) or mapping, as sorted pairs."""
    if user_lexicon is None:
        return ()
    if isinstance(user_lexicon, (str, os.PathLike)):
        user_lexicon = read_user_lexicon(user_lexicon)
    if not isinstance(user_lexicon, Mapping):
        raise TypeError("user_lexicon must be a file path or a mapping syllable -> bonus, "
                        f"not {type(user_lexicon).__name__}")
    bonuses = tuple(sorted((str(form), float(bonus)) for form, bonus in user_lexicon.items()))
    if not all(math.isfinite(bonus) for _, bonus in bonuses):
        raise ValueError("user_lexicon bonuses must be finite numbers")
    return bonuses


def _legacy(legacy: str) -> str:
    if legacy not in LEGACY_MODES:
        raise ValueError(f"legacy must be one of {', '.join(LEGACY_MODES)}, not {legacy!r}")
    return legacy


def _restore_one(restorer: Restorer, text: object, legacy: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected a str, not {type(text).__name__}")
    return restorer.restore(convert(text, legacy)[0])


def _restore_partition(texts: Iterable[object], model: str | None, options: Options, bonuses: _Bonuses,
                       legacy: str, on_error: str) -> list[str | Failed]:
    restorer = _restorer(model, options, bonuses)
    out: list[str | Failed] = []
    for text in texts:
        try:
            out.append(_restore_one(restorer, text, legacy))
        except Exception as exc:  # noqa: BLE001 -- reported in the element's place
            if on_error == "raise":
                raise
            out.append(Failed(text, f"{type(exc).__name__}: {exc}"))
    return out


def restore_bag(bag: db.Bag, *, model: str | os.PathLike | None = None, options: Options | None = None,
                mode: str | None = None, user_lexicon: Mapping[str, float] | str | os.PathLike | None = None,
                legacy: str = "off", on_error: str = "report") -> db.Bag:
    """A bag of the restored texts of `bag`'s elements (strings), in the same order.

    Lazy, like any bag operation: nothing runs until the result is computed.  `model`
    is a model directory readable by every worker (None: the packaged model); `mode`
    ("auto", "plain", "ocr") overrides `options.mode`; `user_lexicon` is a file or a
    mapping as for ``Restorer``; `legacy` ("off" by default, as ``Restorer.restore``;
    "auto", "tcvn3", "vni") converts TCVN3/VNI mojibake first.  An element that is not a
    string or fails is replaced by a ``Failed`` value (`on_error="report"`, the default)
    or fails the computation (`on_error="raise"`)."""
    if on_error not in ("report", "raise"):
        raise ValueError(f"on_error must be 'report' or 'raise', not {on_error!r}")
    return bag.map_partitions(_restore_partition, _model_key(model), _options(options, mode),
                              _bonuses(user_lexicon), _legacy(legacy), on_error)


def _restore_pairs(pairs: Iterable[tuple[Path, Path]], model: str | None, options: Options,
                   errors: str, bonuses: _Bonuses = (), legacy: str = "auto") -> list[str | None]:
    restorer = _restorer(model, options, bonuses)
    messages: list[str | None] = []
    for source, target in pairs:
        try:
            messages.append(batch._restore_file(source, target, errors, restorer, legacy)[1])
        except Exception as exc:  # noqa: BLE001 -- one file's failure must not stop the others
            messages.append(f"{source}: {type(exc).__name__}: {exc}")
    return messages


def restore_files(inputs: list[str], outdir: str | os.PathLike, *, model: str | os.PathLike | None = None,
                  options: Options | None = None, mode: str | None = None,
                  user_lexicon: Mapping[str, float] | str | os.PathLike | None = None, legacy: str = "auto",
                  errors: str = "strict", client=None, pattern: str = "*.txt") -> list[tuple[str, str | None]]:
    """Restore files into `outdir` as ``vnrestore fix INPUTS -o OUTDIR/`` does, the work
    spread over Dask workers; return (input path, error message or None) per file.

    Inputs are mapped to outputs by ``vnrestore.batch.plan`` (directories are walked
    for `pattern` and mirrored under `outdir`) and each file is written by the same
    function as the command line uses, so the bytes are the same.  A file that fails is
    reported and skipped; the others are still done.  `mode`, `user_lexicon` and `legacy`
    (default "auto", as on the command line) are as for ``restore_bag``; `errors` is
    "strict" (invalid UTF-8 fails the file) or "replace".  Runs on `client` if given,
    else on Dask's default scheduler."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    options, bonuses, legacy = _options(options, mode), _bonuses(user_lexicon), _legacy(legacy)
    pairs = batch.plan(inputs, Path(outdir), pattern)
    if not pairs:
        return []
    # Absolute paths, so that workers started in another directory find the same files.
    work = [(source.absolute(), target.absolute()) for source, target in pairs]
    bag = db.from_sequence(work, npartitions=min(len(work), _MAX_TASKS))
    tasks = bag.map_partitions(_restore_pairs, _model_key(model), options, errors, bonuses, legacy)
    if client is not None:
        messages = client.compute(tasks).result()
    else:
        (messages,) = dask.compute(tasks)
    return [(str(source), message) for (source, _), message in zip(pairs, messages)]
