"""The OCR error model's file: a reviewable TSV (``gold, ocr, count, logprob``, natural
logs), sorted and commented, so that a rebuild is deterministic and a diff of two tables
reads row by row.  ``read_tsv`` checks what a cut-short or hand-edited file would get
wrong and names the file and line; the row kinds are explained in ``ocrmodel``.
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import ModelError
from .ocrmodel import ANY, BASE, EPS, INS, LENS, STOP, UNK, ConfusionTable, is_family, is_special

FORMAT = "vnrestore-ocr-confusions"
FORMAT_VERSION = 1


def write_tsv(table: ConfusionTable, path: Path | str) -> None:
    """Write the table as a sorted, commented TSV (deterministic)."""
    path = Path(path)
    lines = [
        f"# {FORMAT} {FORMAT_VERSION}",
        "# OCR error model of vnrestore (see vnrestore/ocrmodel.py for the row kinds).",
        "# Rebuild: python -m vnrestore.ocrlearn PAIRS... -o lexicon/ocr-confusions.tsv (the pair files: lexicon/PROVENANCE.md)",
    ]
    for name, digest in table.inputs:
        lines.append(f"# input: {name} sha256={digest}")
    lines.append(f"# word_pairs: {table.word_pairs}")
    if table.stats:
        lines.append("# stats: " + " ".join(f"{k}={v}" for k, v in table.stats.items()))
    lines.append(f"# smoothing: {table.smoothing}")
    lines.append(f"# rows: {len(table.rows)}")
    lines.append("# columns: gold, ocr, count, logprob (natural log)")
    lines.append("gold\tocr\tcount\tlogprob")
    for gold, ocr, count, logprob in sorted_rows(table.rows):
        lines.append(f"{_escape(gold)}\t{_escape(ocr) if not is_special(ocr) else ocr}"
                     f"\t{count}\t{logprob:.5f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_tsv(path: Path | str) -> ConfusionTable:
    """Read a table written by ``write_tsv``; raises ``ModelError`` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the OCR confusion table ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not a UTF-8 OCR confusion table") from None
    lines = text.split("\n")
    first = lines[0].split() if lines else []
    if len(first) != 3 or first[0] != "#" or first[1] != FORMAT:
        raise ModelError(f"{path}: not an OCR confusion table (no '# {FORMAT} <version>' first line)")
    if first[2] != str(FORMAT_VERSION):
        raise ModelError(
            f"{path}: OCR confusion table format version {first[2]}, this vnrestore reads "
            f"version {FORMAT_VERSION}; rebuild it with python -m vnrestore.ocrlearn")
    header = {"inputs": [], "word_pairs": 0, "smoothing": "", "stats": {}, "rows": None}
    rows = []
    header_seen = False
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        if line.startswith("#"):
            _read_comment(line[1:].strip(), header)
            continue
        if not header_seen:
            if line != "gold\tocr\tcount\tlogprob":
                raise ModelError(f"{path}:{number}: expected the column header "
                                 "'gold<TAB>ocr<TAB>count<TAB>logprob'")
            header_seen = True
            continue
        parts = line.split("\t")
        try:
            gold, ocr, count, logprob = parts
            rows.append((gold if is_special(gold) else _unescape(gold),
                         "" if ocr == EPS else ocr if is_special(ocr) else _unescape(ocr),
                         int(count), float(logprob)))
        except ValueError:
            raise ModelError(f"{path}:{number}: expected 'gold<TAB>ocr<TAB>count<TAB>logprob'") from None
        _check_row(path, number, rows[-1])
    if not rows:
        raise ModelError(f"{path}: OCR confusion table has no rows")
    _check_whole(path, text, rows, header.pop("rows"))
    return ConfusionTable(rows=rows, **header)


def _read_comment(body: str, header: dict) -> None:
    """One "# name: value" line of the header into `header` (other comments are notes)."""
    name, _, value = body.partition(": ")
    if name == "input":
        source, _, digest = value.rpartition(" sha256=")
        header["inputs"].append((source, digest))
    elif name == "word_pairs":
        header["word_pairs"] = int(value)
    elif name == "smoothing":
        header["smoothing"] = value
    elif name == "rows" and value.isdigit():  # written since the reader checks it
        header["rows"] = int(value)
    elif name == "stats":
        for item in value.split():
            k, _, v = item.partition("=")
            header["stats"][k] = int(v)


# Rows without which the channel is not a distribution: a table that lacks one is cut
# short or not written by write_tsv (its sections end with <ins>, <base> and <any>).
REQUIRED_ROWS = ((INS, STOP), (BASE, UNK), *((BASE, n) for n in LENS))


def _check_row(path: Path, number: int, row: tuple[str, str, int, float]) -> None:
    """One row's numbers: a count is never negative, a log-probability is finite (one
    nan would turn every score it touches into nan)."""
    _, _, count, logprob = row
    if count < 0:
        raise ModelError(f"{path}:{number}: negative count {count}")
    if not math.isfinite(logprob):
        raise ModelError(f"{path}:{number}: log-probability {logprob} is not a finite number")


def _check_whole(path: Path, text: str, rows, row_count: int | None) -> None:
    """Signs that the file was cut short: no final line end, fewer rows than its header
    says, or rows every table has missing."""
    if not text.endswith("\n"):
        raise ModelError(f"{path}: OCR confusion table truncated (its last line is incomplete)")
    if row_count is not None and row_count != len(rows):
        raise ModelError(f"{path}: OCR confusion table truncated ({len(rows)} rows, its header says {row_count})")
    present = {(gold, ocr) for gold, ocr, _, _ in rows}
    missing = [f"{gold} {ocr}" for gold, ocr in REQUIRED_ROWS if (gold, ocr) not in present]
    if missing:
        raise ModelError(f"{path}: OCR confusion table truncated or incomplete (no row {missing[0]})")


def _escape(text: str) -> str:
    if text == "":
        return EPS
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def _unescape(text: str) -> str:
    if text == EPS:
        return ""
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1:i + 2] == "\\":
            out.append("\\")
            i += 2
        elif ch == "\\" and text[i + 1:i + 2] == "u":
            out.append(chr(int(text[i + 2:i + 6], 16)))
            i += 6
        elif ch == "\\" and text[i + 1:i + 2] == "U":
            out.append(chr(int(text[i + 2:i + 10], 16)))
            i += 10
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _row_order(row: tuple[str, str, int, float]) -> tuple:
    gold, ocr, count, _ = row
    if is_family(gold):
        section, gold_key = 1, gold[1:-1]
    else:
        section = {INS: 2, BASE: 3, ANY: 4}.get(gold, 0)
        gold_key = gold
    return (section, len(gold) if section == 0 else 0, gold_key, not is_special(ocr), -count, ocr)


def sorted_rows(rows):
    return sorted(rows, key=_row_order)
