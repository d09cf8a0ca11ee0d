"""Command line: ``vnrestore fix | explain | review | info | build-model``.

Exit status: 0 on success, 2 for a usage error (argparse), 1 when an input, output or
model cannot be used (one line ``vnrestore: <message>`` on stderr, no traceback), 130
when interrupted.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import BinaryIO, Iterator

from . import Options, Restorer, TokenChoice, VnrestoreError, __version__, batch
from .build import DEFAULT_ORDER, MAX_ORDER, UNSPECIFIED_LICENCE, build_model
from .model import META_FILE, Model
from .pipeline import MODES, RESTORED
from .tokenize import WORD
from .legacy import MODES as LEGACY_MODES, convert_lines
from .review import write_review
from .textio import LINE_END, STDIN, atomic_output, display_name, read_lines
from .userlex import read_user_lexicon

LOW_CONFIDENCE = 0.6  # explain marks choices below this with "?"; fix --mark-uncertain with ⟦⟧
UNCERTAIN_OPEN, UNCERTAIN_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: brackets ordinary text never uses


_MB = 1e6


class UsageError(Exception):
    """Options that do not fit together (exit status 2, like argparse's own errors)."""


# -- fix ------------------------------------------------------------------------------
def cmd_fix(args: argparse.Namespace) -> int:
    if _is_batch(args):
        return _fix_tree(args)
    restorer = _restorer(args)
    with _output(args.output) as out:
        for path in args.files:
            lines = _input_lines(path, args)
            if args.format == "jsonl":
                for number, (text, choices) in enumerate(restorer.explain_lines(lines), 1):
                    out.write(_line_record(path, number, text, choices).encode("utf-8"))
            elif args.mark_uncertain:
                for _, choices in restorer.explain_lines(lines):
                    out.write("".join(map(_marked, choices)).encode("utf-8"))
            else:
                for piece in restorer.restore_lines(lines):
                    out.write(piece.encode("utf-8"))
            out.flush()  # a file's output is complete: let a reader downstream see it
    return 0


def _marked(choice: TokenChoice) -> str:
    """A restored word the decoder was unsure of, flagged for review: ⟦word⟧."""
    if choice.source == RESTORED and choice.confidence < LOW_CONFIDENCE:
        return f"{UNCERTAIN_OPEN}{choice.output}{UNCERTAIN_CLOSE}"
    return choice.output


def _line_record(path: str, number: int, text: str, choices: list[TokenChoice]) -> str:
    """One JSON line per input line: the restored text (line end removed) and every word's
    choice (spans from the start of the line)."""
    record = {
        "file": path, "line": number, "text": LINE_END.sub("", text),
        "words": [c.as_dict() for c in choices if c.kind == WORD],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def _is_batch(args: argparse.Namespace) -> bool:
    """Directories or glob patterns in, or a directory out: restore file by file into a
    mirrored tree instead of one stream."""
    out = args.output
    out_is_dir = out is not None and (out.endswith(("/", os.sep)) or Path(out).is_dir())
    tree_in = any(Path(f).is_dir() or batch.is_pattern(f) for f in args.files)
    if tree_in and not out_is_dir:
        raise UsageError("directory or pattern inputs need -o OUTDIR/ (a directory, with a trailing slash if new)")
    if out_is_dir and (args.format != "text" or args.mark_uncertain):
        raise UsageError("--format jsonl and --mark-uncertain write one stream: use stdout or -o FILE, "
                         "not a directory")
    return out_is_dir


def _fix_tree(args: argparse.Namespace) -> int:
    if STDIN in args.files:
        raise UsageError("'-' (stdin) cannot be restored into a directory; use -o FILE or stdout")
    pairs = batch.plan(args.files, Path(args.output), args.pattern)
    user_lexicon = _user_lexicon(args)
    show = not args.quiet and sys.stderr.isatty()
    bar = batch.ProgressBar() if show else None
    try:
        result = batch.run(pairs, model=args.model, options=_options(args), errors=args.errors,
                           legacy=args.legacy, user_lexicon=user_lexicon,
                           jobs=args.jobs or batch.default_jobs(), progress=bar)
    finally:
        if bar:
            bar.close()
    for source, message in result.failures:
        print(f"vnrestore: {message}", file=sys.stderr)
    if result.interrupted:
        print(f"vnrestore: {result.interruption(len(pairs))}", file=sys.stderr)
        return 130
    if not args.quiet:
        print(f"vnrestore: {result.summary()}", file=sys.stderr)
    return 1 if result.failures else 0


def _input_lines(path: str, args: argparse.Namespace) -> Iterator[str]:
    """The lines of an input as --errors and --legacy say to read them."""
    return convert_lines(read_lines(path, args.errors), args.legacy)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[BinaryIO]:
    if path is None or path == STDIN:
        # Bytes, not text: the output must equal the input byte for byte apart from the
        # restored words, whatever the locale's encoding or newline translation.
        sys.stdout.flush()
        yield sys.stdout.buffer
    else:
        with atomic_output(Path(path)) as out:
            yield out


# -- explain --------------------------------------------------------------------------
def cmd_explain(args: argparse.Namespace) -> int:
    restorer = _restorer(args)
    # explain needs the text whole, to give offsets into it.
    text = "".join(_input_lines(args.file, args))
    line_starts = [0] + [m.end() for m in LINE_END.finditer(text)]
    show = _format_jsonl if args.format == "jsonl" else _format_text
    for choice in restorer.explain(text):
        if _wanted(choice, args.all):
            line = bisect.bisect_right(line_starts, choice.start)
            column = choice.start - line_starts[line - 1] + 1  # in characters, from 1
            print(show(choice, line, column))
    sys.stdout.flush()
    return 0


def _wanted(choice: TokenChoice, everything: bool) -> bool:
    """Words the decoder chose a form for; with --all every word."""
    return choice.kind == WORD and (everything or choice.source == RESTORED)


def _format_text(choice: TokenChoice, line: int, column: int) -> str:
    flag = "?" if choice.confidence < LOW_CONFIDENCE else " "
    if choice.alternatives:
        detail = "(" + ", ".join(f"{form} {p:.2f}" for form, p in choice.alternatives) + ")"
    else:
        detail = f"[{choice.source}]"
    return (f"{line}:{column:<6} {flag} {choice.input} -> {choice.output}  "
            f"{choice.confidence:.2f}  {detail}")


def _format_jsonl(choice: TokenChoice, line: int, column: int) -> str:
    return json.dumps({**choice.as_dict(), "line": line}, ensure_ascii=False)


# -- review ---------------------------------------------------------------------------
def cmd_review(args: argparse.Namespace) -> int:
    restorer = _restorer(args)
    # The page shows the whole document, so the text is read whole, like explain.
    text = "".join(_input_lines(args.file, args))
    write_review(restorer, text, args.output, title=Path(display_name(args.file)).name,
                 low_confidence=LOW_CONFIDENCE)
    return 0


# -- info -----------------------------------------------------------------------------
def cmd_info(args: argparse.Namespace) -> int:
    model = Model.load(args.model)
    meta = model.meta
    ngrams = {"1": meta["vocab_size"], **meta.get("ngrams", {})}
    files = [META_FILE, *meta.get("files", {})]
    rows = [
        ("model", str(model.path)),
        ("format version", meta.get("format_version")),
        ("built with", meta.get("built_with", "?")),
        ("order", meta.get("order")),
        ("vocabulary", f"{meta['vocab_size']:,} symbols"),
        ("n-grams", ", ".join(f"{n}: {count:,}" for n, count in ngrams.items())),
        ("corpus tokens", f"{meta.get('tokens', 0):,} in {meta.get('segments', 0):,} segments"),
        ("files", ", ".join(f"{name} {(model.path / name).stat().st_size / _MB:.1f} MB" for name in files)),
        ("inputs", "\n".join(_describe_input(entry) for entry in meta.get("inputs", []))),
        ("smoothing", meta.get("smoothing", "?")),
        ("licence", meta.get("licence", "?")),
    ]
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        # Continuation lines of a multi-line value line up under its first line.
        value = str(value).replace("\n", "\n" + " " * width)
        print(f"{label + ':':<{width}}{value}")
    return 0


def _describe_input(entry: dict) -> str:
    role = f" ({entry['role']})" if entry.get("role") else ""
    return f"{entry['file']}  sha256 {entry['sha256'][:12]}{role}"


# -- build-model ----------------------------------------------------------------------
def cmd_build_model(args: argparse.Namespace) -> int:
    # Cut-offs given override the defaults order by order (build_model merges them).
    try:
        build_model(args.corpus, args.out, args.fallback, order=args.order,
                    cutoffs=dict(args.cutoff or ()), jobs=args.jobs, licence=args.licence,
                    abbreviations=args.abbreviations)
    except ValueError as exc:
        # A vocabulary too large for the id width, or an order out of range: the
        # user's data or options, not a bug, so one line rather than a traceback.
        raise VnrestoreError(f"build-model: {exc}") from None
    return 0


# -- shared ---------------------------------------------------------------------------
def _options(args: argparse.Namespace) -> Options:
    return Options(style=args.style, mode=args.mode)


def _restorer(args: argparse.Namespace) -> Restorer:
    restorer = Restorer(args.model, _options(args), user_lexicon=_user_lexicon(args))
    _warn_unknown(restorer.unknown_user_forms, args)
    return restorer


def _user_lexicon(args: argparse.Namespace) -> dict[str, float] | None:
    return read_user_lexicon(args.user_lexicon) if args.user_lexicon else None


def _warn_unknown(forms: list[str], args: argparse.Namespace) -> None:
    if forms:
        print(f"vnrestore: warning: {args.user_lexicon}: the model cannot produce "
              f"{len(forms)} syllable(s), ignored: {' '.join(forms[:10])}", file=sys.stderr)


def _style(value: str) -> str:
    """Validated by Options itself, so the styles are listed in one place."""
    try:
        Options(style=value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _int_between(low: int, high: int):
    """An argparse type: a whole number within [low, high]."""
    def parse(value: str) -> int:
        if not (value.isdigit() and low <= int(value) <= high):
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, not {value!r}")
        return int(value)
    return parse


def _cutoff(value: str) -> tuple[int, int]:
    order, sep, count = value.partition("=")
    if not (sep and order.isdigit() and count.isdigit()):
        raise argparse.ArgumentTypeError(f"expected ORDER=COUNT such as 3=2, not {value!r}")
    return int(order), int(count)


def _add_model_options(parser: argparse.ArgumentParser, style: bool = True) -> None:
    parser.add_argument("--model", metavar="DIR",
                        help="model directory (default: the model shipped with vnrestore)")
    if style:
        parser.add_argument("--style", type=_style, default="new", metavar="{new,old}",
                            help="tone mark placement: new (hòa, thủy, default) or old (hoà, thuỷ)")
        parser.add_argument("--mode", choices=MODES, default="auto",
                            help="plain: restore lost diacritics; ocr: also correct the letter "
                                 "noise of English-model OCR (ciia, x3, d6i, hién); auto (default): "
                                 "ocr for text that looks OCR'd, plain otherwise")
        parser.add_argument("--user-lexicon", metavar="FILE",
                            help="words and names to favour, one a line, optional TAB weight "
                                 "(powers of ten, default 1)")


def _add_errors_option(parser: argparse.ArgumentParser) -> None:
    """Options about reading input: UTF-8 errors and legacy font encodings."""
    parser.add_argument("--errors", choices=("strict", "replace"), default="strict",
                        help="invalid UTF-8: stop with an error (strict, default) or read it as U+FFFD (replace)")
    parser.add_argument("--legacy", choices=LEGACY_MODES, default="auto",
                        help="text typed in the old TCVN3 (ABC) or VNI fonts and read as Unicode "
                             "(\"Céng hoµ\"): detect and convert it (auto, default), always "
                             "convert from one encoding, or never (off)")


def _whole_file_command(commands, name: str, run, *, help: str, description: str) -> argparse.ArgumentParser:
    """A command that reads one FILE whole (its output points into the text)."""
    parser = commands.add_parser(name, help=help, description=description + " Reads the whole FILE into memory.")
    parser.add_argument("file", metavar="FILE", help="input file ('-' for stdin)")
    _add_model_options(parser)
    _add_errors_option(parser)
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vnrestore",
        description="Restore the diacritics of Vietnamese text (cong tac dan van -> công tác dân vận).",
    )
    parser.add_argument("--version", action="version", version=f"vnrestore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fix = commands.add_parser(
        "fix", help="restore diacritics in files",
        description="Restore the diacritics of each FILE ('-' for stdin) and write the results "
                    "one after the other. Only restored words change: spacing, line ends and "
                    "everything else are copied through.")
    fix.add_argument("files", nargs="+", metavar="FILE")
    fix.add_argument("-o", "--output", metavar="OUT",
                     help="write to OUT, replaced only once everything succeeded (default: stdout); "
                          "a directory (OUTDIR/) restores each input into its own file there, "
                          "mirroring the tree of directory inputs")
    fix.add_argument("--jobs", type=_int_between(1, 1024), metavar="N",
                     help="with -o OUTDIR/: files restored in parallel (default: one per core)")
    fix.add_argument("--pattern", default="*.txt", metavar="GLOB",
                     help="with directory inputs: which files to take (default: *.txt)")
    fix.add_argument("--format", choices=("text", "jsonl"), default="text",
                     help="text (default), or jsonl: one JSON object per input line with the "
                          "restored text and each word's choice, confidence and alternatives")
    fix.add_argument("--mark-uncertain", action="store_true",
                     help=f"flag restored words chosen with confidence below {LOW_CONFIDENCE} "
                          "for review: ⟦word⟧ (the brackets are U+27E6 and U+27E7)")
    fix.add_argument("-q", "--quiet", action="store_true",
                     help="with -o OUTDIR/: no progress bar and no summary line")
    _add_model_options(fix)
    _add_errors_option(fix)
    fix.set_defaults(run=cmd_fix)

    explain = _whole_file_command(
        commands, "explain", cmd_explain, help="show how each word was restored",
        description="Show, for each word the decoder restored (every word with --all), its "
                    "position (line:column), the form chosen, its confidence and the "
                    f"alternatives. Choices with confidence below {LOW_CONFIDENCE} are marked '?'.")
    explain.add_argument("--format", choices=("text", "jsonl"), default="text",
                         help="text (default) or one JSON object per word")
    explain.add_argument("--all", action="store_true", help="list every word, not only restored ones")

    review = _whole_file_command(
        commands, "review", cmd_review, help="write an HTML page for checking a restored file",
        description="Write one self-contained HTML page showing the restored FILE with changed "
                    "words marked, uncertain ones (confidence below "
                    f"{LOW_CONFIDENCE}) highlighted, the original and alternatives on hover or "
                    "focus, and a summary.")
    review.add_argument("-o", "--output", required=True, metavar="PAGE.html", help="the page to write")

    info = commands.add_parser("info", help="describe a model",
                               description="Print a model's metadata: sizes, counts, inputs, licence.")
    _add_model_options(info, style=False)
    info.set_defaults(run=cmd_info)

    build = commands.add_parser(
        "build-model", help="build a model from a corpus",
        description="Build model files from a corpus: directories contribute their *.txt.xz "
                    "files; name plain .txt files explicitly. One paragraph per line.")
    build.add_argument("--corpus", type=Path, nargs="+", required=True, metavar="PATH",
                       help="corpus files or directories")
    build.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write the model to")
    build.add_argument("--order", type=_int_between(2, MAX_ORDER), default=DEFAULT_ORDER,
                       help=f"n-gram order, 2 to {MAX_ORDER} (default {DEFAULT_ORDER})")
    build.add_argument("--cutoff", type=_cutoff, action="append", metavar="N=C",
                       help="drop n-grams of order N seen fewer than C times (repeatable; "
                            "orders not given keep the defaults)")
    build.add_argument("--fallback", type=Path, metavar="FILE",
                       help="syllable list (one a line) added to the vocabulary even if unseen")
    build.add_argument("--jobs", type=_int_between(1, 1024), metavar="N",
                       help="worker processes (default: one per CPU)")
    build.add_argument("--abbreviations", type=Path, metavar="FILE",
                       help="an 'ABBR:expansion' list; its abbreviations with Vietnamese letters "
                            "(HĐND) are restored when typed without them (HDND)")
    build.add_argument("--licence", default=UNSPECIFIED_LICENCE, metavar="TEXT",
                       help="the terms under which the model may be shared, recorded in model.json")
    build.set_defaults(run=cmd_build_model)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        _silence_stdout()
        return 0
    except UsageError as exc:
        print(f"vnrestore {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (VnrestoreError, OSError) as exc:
        print(f"vnrestore: {_message(exc)}", file=sys.stderr)
        return 1


def _message(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain
    about the broken pipe again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
