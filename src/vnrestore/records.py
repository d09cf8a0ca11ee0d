"""Text inside records: one field of JSONL, one column of CSV/TSV, a dataframe column.

Each value is a separate text (a title, a comment, a cell), so values are restored with
``Restorer.restore_many``: decoded together in batches (as fast as one long text) but
each with its own context.  Everything around the values is kept:

- JSONL: a record whose field does not change is copied byte for byte; one whose field
  changes is written back with ``json.dumps`` (same keys in the same order, same values,
  non-ASCII as is; only the spacing between tokens may differ from the input's).  The
  field is named by a key, or a dotted path into nested objects (``meta.title``); a
  top-level key that itself contains the dots is taken first.  Only a string value is
  restored: a record without the field, or with a number, null, list or object there,
  is copied unchanged.  Blank lines are copied; a line that is not a JSON object is an
  error naming the file and line.
- CSV/TSV: the first row names the columns.  The dialect (delimiter, quote character,
  line end) is read from the file (``csv.Sniffer``) unless a delimiter is given, and
  used for the output; fields are quoted where the dialect needs it (a field quoted in
  the input without need comes back unquoted).
- pandas Series / DataFrame column, or a Dask DataFrame column (restored partition by
  partition): string values restored, anything else (NaN, None, numbers) kept; the
  index and the other columns are untouched.  pandas is imported only when used.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from typing import Any, Callable, Iterable, Iterator

from .errors import InputError
from .textio import LINE_END

BATCH = 2000  # records restored per restore_many call (memory stays bounded)
RestoreMany = Callable[[list[str]], list[str]]
_MISSING = object()


# -- JSONL ----------------------------------------------------------------------------
def _get(record: dict, key: str) -> Any:
    if key in record:
        return record[key]
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _set(record: dict, key: str, new: str) -> None:
    if key in record:
        record[key] = new
        return
    *parents, last = key.split(".")
    target = record
    for part in parents:
        target = target[part]
    target[last] = new


def restore_jsonl(lines: Iterable[str], key: str, restore_many: RestoreMany, *, name: str = "<input>",
                  batch: int = BATCH) -> Iterator[str]:
    """Restore field `key` of every JSON line; yield the output lines (with line ends)."""
    numbered = enumerate(lines, 1)
    while True:
        chunk = list(itertools.islice(numbered, batch))
        if not chunk:
            return
        parsed = []
        for number, line in chunk:
            body = LINE_END.sub("", line)
            if not body.strip():
                parsed.append((line, None, _MISSING))
                continue
            try:
                record = json.loads(body)
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}: line {number}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise InputError(f"{name}: line {number}: not a JSON object")
            value = _get(record, key)
            parsed.append((line, record, value if isinstance(value, str) else _MISSING))
        texts = [value for _, _, value in parsed if value is not _MISSING]
        restored = iter(restore_many(texts))
        for line, record, value in parsed:
            if value is _MISSING:
                yield line
                continue
            new = next(restored)
            if new == value:
                yield line
                continue
            _set(record, key, new)
            end = line[len(LINE_END.sub("", line)):]
            yield json.dumps(record, ensure_ascii=False) + end


# -- CSV / TSV ------------------------------------------------------------------------
def sniff_dialect(sample: str, delimiter: str | None = None) -> type[csv.Dialect] | csv.Dialect:
    """The sample's dialect; its line end is the sample's first (the Sniffer does not
    detect it)."""
    if delimiter is not None:
        dialect: Any = type("Given", (csv.excel,), {"delimiter": delimiter})
    else:
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
    match = LINE_END.search(sample)
    dialect.lineterminator = match.group() if match else "\n"
    return dialect


def restore_csv(lines: Iterable[str], column: str, restore_many: RestoreMany, *, name: str = "<input>",
                delimiter: str | None = None, batch: int = BATCH) -> Iterator[str]:
    """Restore column `column` (named in the first row); yield the output text."""
    lines = iter(lines)
    head = list(itertools.islice(lines, 50))
    if not head:
        return
    dialect = sniff_dialect("".join(head), delimiter)
    rows = csv.reader(itertools.chain(head, lines), dialect)
    try:
        header = next(rows)
    except csv.Error as exc:
        raise InputError(f"{name}: not valid CSV ({exc})") from None
    if column not in header:
        raise InputError(f"{name}: no column {column!r} (columns: {', '.join(header)})")
    index = header.index(column)
    out = io.StringIO()
    writer = csv.writer(out, dialect)
    writer.writerow(header)
    while True:
        try:
            chunk = list(itertools.islice(rows, batch))
        except csv.Error as exc:
            raise InputError(f"{name}: line {rows.line_num}: not valid CSV ({exc})") from None
        if not chunk and not out.tell():
            return
        have = [row for row in chunk if len(row) > index]
        for row, new in zip(have, restore_many([row[index] for row in have])):
            row[index] = new
        writer.writerows(chunk)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if not chunk:
            return


# -- dataframes -----------------------------------------------------------------------
def restore_series(series, restorer=None, *, batch_size: int | None = None):
    """A pandas Series with its string values restored (same index, same name).

    `restorer`: a ``Restorer`` (default: the packaged model's, as ``vnrestore.restore``)."""
    pd = _pandas()
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series, not {type(series).__name__}")
    restorer = restorer if restorer is not None else _default_restorer()
    mask = series.map(lambda v: isinstance(v, str))
    result = series.copy()
    if mask.any():
        texts = list(series[mask])
        result[mask] = restorer.restore_many(texts, batch_size=batch_size)
    return result


def restore_column(frame, column: str, restorer=None, *, batch_size: int | None = None):
    """A copy of a pandas or Dask DataFrame with `column`'s strings restored.

    A Dask DataFrame is restored partition by partition when computed; each worker
    then uses its own default restorer (pass none for Dask: a Restorer holds a
    memory-mapped model and is not sent over the network)."""
    if hasattr(frame, "map_partitions") and hasattr(frame, "npartitions"):  # Dask, without importing it
        if restorer is not None:
            raise ValueError("restorer cannot be sent to Dask workers; leave it out (each worker loads the model)")
        return frame.map_partitions(restore_column, column, batch_size=batch_size, meta=frame._meta)
    pd = _pandas()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas or Dask DataFrame, not {type(frame).__name__}")
    if column not in frame.columns:
        raise ValueError(f"column {column!r} not in the frame (columns: {', '.join(map(str, frame.columns))})")
    result = frame.copy()
    result[column] = restore_series(frame[column], restorer, batch_size=batch_size)
    return result


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("this needs pandas: pip install pandas") from None
    return pandas


def _default_restorer():
    from . import Options, _restorer
    return _restorer(Options())
