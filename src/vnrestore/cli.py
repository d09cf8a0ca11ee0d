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

from . import Options, Restorer, TokenChoice, VnrestoreError, __version__, batch, ocrxml, progress, records, schema
from .buildconfig import (CORPUS_PATTERNS, DEFAULT_FALLBACK, DEFAULT_GAZETTEER_WEIGHT, DEFAULT_MIN_WORD_COUNT,
                          DEFAULT_ORDER, DEFAULT_TRIGGER_ENTRIES, MAX_ORDER, MIXES, UNSPECIFIED_LICENCE)
from .errors import OutputError
from .model import META_FILE, Model
from .pipeline import MODES, RESTORED
from .legacy import MODES as LEGACY_MODES, convert_lines
from .textio import LINE_END, STDIN, atomic_output, display_name, read_lines
from .userlex import DEFAULT_WEIGHT, describe, parse_user_lexicon, unknown_forms

LOW_CONFIDENCE = 0.6  # explain marks choices below this with "?"; fix --mark-uncertain with ⟦⟧
UNCERTAIN_OPEN, UNCERTAIN_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: brackets ordinary text never uses


_MB = 1e6


class UsageError(Exception):
    """Options that do not fit together (exit status 2, like argparse's own errors)."""


# -- fix ------------------------------------------------------------------------------
def cmd_fix(args: argparse.Namespace) -> int:
    _stdin_if_no_files(args, "files")
    if _is_batch(args):
        return _fix_tree(args)
    restorer = _restorer(args)
    # A bar by bytes read when the output goes to a file (not to the terminal or a
    # pager that shares it) and stderr is a terminal.
    show = args.output not in (None, STDIN) and progress.wanted(args.quiet)
    with _output(args.output) as out:
        for path in args.files:
            _fix_one(restorer, path, args, out, show)
            out.flush()  # a file's output is complete: let a reader downstream see it
    return 0


def _fix_one(restorer: Restorer, path: str, args: argparse.Namespace, out: BinaryIO,
             show_progress: bool = False) -> None:
    """One input to one output stream, in the input's own format (with a progress bar by
    bytes read if `show_progress`)."""
    name = display_name(path)
    if args.jsonl_field:
        pieces = records.restore_jsonl(_input_lines(path, args, show_progress), args.jsonl_field,
                                       restorer.restore_many, name=name)
    elif args.csv_column:
        delimiter = args.delimiter or ("\t" if path.lower().endswith(".tsv") else None)
        pieces = records.restore_csv(_input_lines(path, args, show_progress), args.csv_column,
                                     restorer.restore_many, name=name, delimiter=delimiter)
    elif args.format in ocrxml.FORMATS or (args.format == "text" and ocrxml.sniff_name(path)):
        data = _read_bytes(path)
        fmt = args.format if args.format in ocrxml.FORMATS else ocrxml.detect(data)
        if fmt is not None:
            out.write(ocrxml.restore_document(data, fmt, restorer.explain_many, name))
            return
        pieces = restorer.restore_lines(convert_lines(iter([data.decode("utf-8", args.errors)]), args.legacy))
    elif args.format == "jsonl":
        pieces = _line_records(restorer, path, args, show_progress)
    elif args.mark_uncertain:
        pieces = ("".join(map(_marked, choices))
                  for _, choices in restorer.explain_lines(_input_lines(path, args, show_progress)))
    else:
        pieces = restorer.restore_lines(_input_lines(path, args, show_progress))
    for piece in pieces:
        out.write(piece.encode("utf-8"))


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise VnrestoreError(f"{path}: {exc.strerror}") from None


def _marked(choice: TokenChoice) -> str:
    """A restored word the decoder was unsure of, flagged for review: ⟦word⟧."""
    if choice.source == RESTORED and choice.confidence < LOW_CONFIDENCE:
        return f"{UNCERTAIN_OPEN}{choice.output}{UNCERTAIN_CLOSE}"
    return choice.output


def _line_records(restorer: Restorer, path: str, args: argparse.Namespace,
                  show_progress: bool = False) -> Iterator[str]:
    """One JSON line per input line (schema.line_record): offsets from the input's start."""
    start = 0
    name = display_name(path)
    lines = _input_lines(path, args, show_progress)
    for number, (text, choices) in enumerate(restorer.explain_lines(lines), 1):
        record = schema.line_record(choices, file=name, line=number, start=start, text=LINE_END.sub("", text),
                                    top=args.top, min_probability=args.min_probability)
        start += sum(len(c.input) for c in choices)
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _stdin_if_no_files(args: argparse.Namespace, attr: str) -> None:
    """No FILE given: read stdin when something is piped in (``echo x | vnrestore fix``),
    else it is a usage error (a terminal would just wait)."""
    value = getattr(args, attr)
    if value in (None, []):
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no FILE given and stdin is a terminal: name a FILE, or pipe text in")
        setattr(args, attr, [STDIN] if attr == "files" else STDIN)


def _is_batch(args: argparse.Namespace) -> bool:
    """Directories or glob patterns in, several inputs, or a directory out: restore file
    by file into a mirrored tree (created if need be) instead of one stream."""
    if args.jsonl_field and args.csv_column:
        raise UsageError("--jsonl-field and --csv-column: give one")
    out = args.output
    streams = args.format == "jsonl" or args.mark_uncertain or args.jsonl_field or args.csv_column
    tree_in = any(Path(f).is_dir() or batch.is_pattern(f) for f in args.files)
    out_is_dir = out is not None and (out.endswith(("/", os.sep)) or Path(out).is_dir()
                                      or (not streams and (tree_in or len(args.files) > 1)))
    if tree_in and not out_is_dir:
        raise UsageError("directory or pattern inputs need -o OUTDIR (a directory; "
                         "--format jsonl and --mark-uncertain write one stream and cannot take them)")
    if out_is_dir and streams:
        raise UsageError("--format jsonl, --mark-uncertain, --jsonl-field and --csv-column write one "
                         "stream: use stdout or -o FILE, not a directory")
    if out_is_dir and Path(out).exists() and not Path(out).is_dir():
        if out.endswith(("/", os.sep)):
            raise OutputError(f"{out}: not a directory (a file of that name exists; drop the '/' to write to it)")
        raise UsageError(f"-o {out}: several inputs need an output directory, and this is a file")
    return out_is_dir


def _fix_tree(args: argparse.Namespace) -> int:
    if STDIN in args.files:
        raise UsageError("'-' (stdin) cannot be restored into a directory; use -o FILE or stdout")
    pairs = batch.plan(args.files, Path(args.output), args.pattern)
    jobs = args.jobs or batch.default_jobs()
    # In one process, load the model before the bar starts, so its rate is after load
    # (worker processes load their own, while the first files run).
    model = Model.load(args.model) if jobs <= 1 or len(pairs) <= 1 else args.model
    user_lexicon = _user_lexicon(args, model if isinstance(model, Model) else None)
    bar = progress.BatchProgress(source for source, _ in pairs) if progress.wanted(args.quiet) else None
    try:
        result = batch.run(pairs, model=model, options=_options(args), errors=args.errors,
                           legacy=args.legacy, user_lexicon=user_lexicon, jobs=jobs, progress=bar)
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


def _input_lines(path: str, args: argparse.Namespace, show_progress: bool = False) -> Iterator[str]:
    """The lines of an input as --errors and --legacy say to read them."""
    lines = read_lines(path, args.errors)
    if show_progress:
        lines = progress.track_lines(lines, path)
    return convert_lines(lines, args.legacy)


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
    _stdin_if_no_files(args, "file")
    restorer = _restorer(args)
    # explain needs the text whole, to give offsets into it.
    text = "".join(_input_lines(args.file, args))
    line_starts = [0] + [m.end() for m in LINE_END.finditer(text)]
    name = display_name(args.file)
    for choice in restorer.explain(text):
        if _wanted(choice, args.all):
            line = bisect.bisect_right(line_starts, choice.start)
            column = choice.start - line_starts[line - 1] + 1  # in characters, from 1
            if args.format == "jsonl":
                print(json.dumps(schema.word_record(choice, file=name, line=line, column=column, top=args.top,
                                                    min_probability=args.min_probability), ensure_ascii=False))
            else:
                print(_format_text(choice, line, column, args.top, args.min_probability))
    sys.stdout.flush()
    return 0


def _wanted(choice: TokenChoice, everything: bool) -> bool:
    """Words the decoder chose a form for or that changed (OCR repairs such as d6i ->
    đối included, although the tokenizer calls them codes); with --all every word."""
    return schema.is_word(choice) and (everything or schema.is_change(choice))


def _format_text(choice: TokenChoice, line: int, column: int, top: int, min_probability: float) -> str:
    flag = "?" if choice.confidence < LOW_CONFIDENCE else " "
    alternatives = schema.alternatives(choice, top, min_probability)
    if alternatives:
        detail = "(" + ", ".join(f"{form} {p:.2f}" for form, p in alternatives) + ")"
    else:
        detail = f"[{choice.source}]"
    return (f"{line}:{column:<6} {flag} {choice.input} -> {choice.output}  "
            f"{choice.confidence:.2f}  {detail}")


# -- review ---------------------------------------------------------------------------
def cmd_review(args: argparse.Namespace) -> int:
    _stdin_if_no_files(args, "file")
    restorer = _restorer(args)
    # The page shows the whole document, so the text is read whole, like explain.
    text = "".join(_input_lines(args.file, args))
    from .review import write_review  # only this command needs it

    # OCR mode asked for: tint what matters on OCR text; otherwise the page decides.
    write_review(restorer, text, args.output, title=Path(display_name(args.file)).name,
                 low_confidence=LOW_CONFIDENCE, view="focus" if args.mode == "ocr" else None)
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
    from .build import build_model  # not at start-up: no other command needs it

    # Cut-offs given override the defaults order by order (build_model merges them).
    try:
        # --corpus is one corpus; --component gives named ones (argparse requires one of them).
        corpus = args.corpus or {}
        for name, paths in args.component or ():
            if name in corpus:
                raise ValueError(f"component {name} given twice")
            corpus[name] = paths
        build_model(corpus, args.out, args.fallback or DEFAULT_FALLBACK, order=args.order,
                    cutoffs=dict(args.cutoff or ()), jobs=args.jobs, licence=args.licence,
                    abbreviations=args.abbreviations, patterns=tuple(args.glob or CORPUS_PATTERNS),
                    min_word_count=args.min_word_count,
                    expand_abbreviations=not args.no_expansions, gazetteer=args.gazetteer,
                    gazetteer_weight=args.gazetteer_weight, weights=dict(args.weight or ()), mix=args.mix,
                    rescue=dict(args.keep_best or ()), mix_in=dict(args.mix_in or ()),
                    trigger_entries=args.trigger_entries)
    except ValueError as exc:
        # A vocabulary too large for the id width, or an order out of range: the
        # user's data or options, not a bug, so one line rather than a traceback.
        raise VnrestoreError(f"build-model: {exc}") from None
    return 0


# -- shared ---------------------------------------------------------------------------
def _options(args: argparse.Namespace) -> Options:
    return Options(style=args.style, mode=args.mode)


def _restorer(args: argparse.Namespace) -> Restorer:
    model = Model.load(args.model)
    return Restorer(model, _options(args), user_lexicon=_user_lexicon(args, model))


def _user_lexicon(args: argparse.Namespace, model: Model | None = None) -> dict[str, float] | None:
    """The --user-lexicon's bonuses; what cannot be used (no diacritics, not a syllable,
    unknown to the model) is reported on stderr, one line per reason."""
    if not args.user_lexicon:
        return None
    bonuses, unusable = parse_user_lexicon(args.user_lexicon)
    if bonuses:
        lexicon = (model or Model.load(args.model)).lexicon
        unusable += unknown_forms(bonuses, lambda form: lexicon.id(form) is not None)
    for message in describe(args.user_lexicon, unusable):
        print(f"vnrestore: warning: {message}", file=sys.stderr)
    return bonuses


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


def _component(value: str) -> tuple[str, list[Path]]:
    name, sep, paths = value.partition("=")
    if not (sep and name.strip() and paths):
        raise argparse.ArgumentTypeError(f"expected NAME=PATH[,PATH...] such as legal=a.txt.xz,b.txt.xz, not {value!r}")
    return name.strip(), [Path(p) for p in paths.split(",") if p]


def _weight(value: str) -> tuple[str, float]:
    name, sep, weight = value.partition("=")
    try:
        number = float(weight)
    except ValueError:
        number = None
    if not (sep and name.strip()) or number is None or not number >= 0:
        raise argparse.ArgumentTypeError(f"expected NAME=WEIGHT with a weight >= 0 such as wiki=2, not {value!r}")
    return name.strip(), number


def _add_model_options(parser: argparse.ArgumentParser, style: bool = True) -> None:
    parser.add_argument("--model", metavar="DIR",
                        help="model directory (default: the model shipped with vnrestore)")
    if style:
        parser.add_argument("--style", type=_style, default="new", metavar="{new,old}",
                            help="tone mark placement: new (hòa, thủy, default) or old (hoà, thuỷ)")
        parser.add_argument("--mode", choices=MODES, default="auto",
                            help="plain: restore lost diacritics; ocr: also correct OCR errors "
                                 "(an English model's letter noise: ciia, x3, d6i, hién; a Vietnamese "
                                 "model's wrong tones); auto (default): ocr for each block of text "
                                 "that reads like either, plain otherwise")
        parser.add_argument("--user-lexicon", metavar="FILE",
                            help="words and names to favour, one a line, optional TAB weight "
                                 f"(powers of ten, default {DEFAULT_WEIGHT:g})")


def _add_errors_option(parser: argparse.ArgumentParser) -> None:
    """Options about reading input: UTF-8 errors and legacy font encodings."""
    parser.add_argument("--errors", choices=("strict", "replace"), default="strict",
                        help="invalid UTF-8: stop with an error (strict, default) or read it as U+FFFD (replace)")
    parser.add_argument("--legacy", choices=LEGACY_MODES, default="auto",
                        help="text typed in the old TCVN3 (ABC) or VNI fonts and read as Unicode "
                             "(\"Céng hoµ\"): detect and convert it (auto, default), always "
                             "convert from one encoding, or never (off)")


EXIT_CODES = """\
exit status:
  0    done
  1    an input, output or model could not be used (one line on stderr says which)
  2    usage error (unknown option, options that do not fit together)
  130  interrupted (^C)"""


def _add_command(commands, name: str, *, help: str, description: str, examples: str) -> argparse.ArgumentParser:
    """A command whose --help ends with examples and the exit codes."""
    return commands.add_parser(name, help=help, description=description,
                               epilog=f"examples:\n{examples}\n\n{EXIT_CODES}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_alternatives_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--top", type=_int_between(0, 1000), default=schema.TOP, metavar="K",
                        help=f"alternatives shown per word: the K most probable (default {schema.TOP})")
    parser.add_argument("--min-probability", type=_probability, default=schema.MIN_PROBABILITY, metavar="P",
                        help=f"... with probability at least P (default {schema.MIN_PROBABILITY})")


def _probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        p = -1.0
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability from 0 to 1, not {value!r}")
    return p


def _whole_file_command(commands, name: str, run, *, help: str, description: str,
                        examples: str) -> argparse.ArgumentParser:
    """A command that reads one FILE whole (its output points into the text)."""
    parser = _add_command(commands, name, help=help, examples=examples,
                          description=description + " Reads the whole FILE into memory.")
    parser.add_argument("file", metavar="FILE", nargs="?",
                        help="input file ('-' or none with text piped in: stdin)")
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

    fix = _add_command(
        commands, "fix", help="restore diacritics in files",
        description="Restore the diacritics of each FILE ('-', or no FILE with text piped in: "
                    "stdin) and write the results one after the other. Only restored words "
                    "change: spacing, line ends and everything else are copied through. "
                    "Files named *.hocr, *.xml or *.html holding hOCR or ALTO are restored "
                    "as such (words in place, layout unchanged).",
        examples="""\
  vnrestore fix letter.txt                       restore to stdout
  echo "Cong hoa xa hoi" | vnrestore fix         stdin to stdout
  vnrestore fix letter.txt -o letter.fixed.txt   to a file, replaced only on success
  vnrestore fix docs/ -o fixed/                  a tree (created), *.txt files, in parallel
  vnrestore fix 'scans/**/*.txt' a.txt -o out    several inputs: out is a directory
  vnrestore fix page.hocr -o page.fixed.hocr     hOCR / ALTO: text restored in place
  vnrestore fix --jsonl-field meta.title in.jsonl   one field of each JSON line
  vnrestore fix --csv-column comment data.csv    one column of a CSV/TSV file
  vnrestore fix --format jsonl letter.txt        per-line records (schema in README)""")
    fix.add_argument("files", nargs="*", metavar="FILE")
    fix.add_argument("-o", "--output", metavar="OUT",
                     help="write to OUT, replaced only once everything succeeded (default: stdout); "
                          "with a directory input, a pattern or several inputs, OUT is a directory "
                          "(created if missing) where each input gets its own file, the tree "
                          "below a directory or a pattern's fixed prefix mirrored")
    fix.add_argument("--jobs", type=_int_between(1, 1024), metavar="N",
                     help="with -o OUTDIR/: files restored in parallel (default: one per core)")
    fix.add_argument("--pattern", default="*.txt", metavar="GLOB",
                     help="with directory inputs: which files to take (default: *.txt)")
    fix.add_argument("--format", choices=("text", "jsonl", *ocrxml.FORMATS), default="text",
                     help="text (default; hOCR/ALTO files are recognised by name and content), "
                          "jsonl: one JSON object per input line with the restored text and each "
                          "word's choice, confidence and alternatives; hocr or alto: read FILE as that")
    fix.add_argument("--jsonl-field", metavar="KEY",
                     help="input is JSON Lines: restore the string at KEY (a dotted path such as "
                          "meta.title for nested objects) in each record, copy the rest")
    fix.add_argument("--csv-column", metavar="NAME",
                     help="input is CSV/TSV with a header row: restore column NAME, keep the dialect")
    fix.add_argument("--delimiter", metavar="CHAR",
                     help="with --csv-column: the field delimiter (default: detected; TAB for *.tsv)")
    _add_alternatives_options(fix)
    fix.add_argument("--mark-uncertain", action="store_true",
                     help=f"flag restored words chosen with confidence below {LOW_CONFIDENCE} "
                          "for review: ⟦word⟧ (the brackets are U+27E6 and U+27E7)")
    fix.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bar (shown on a terminal's stderr when writing to -o) "
                          "and, with -o OUTDIR/, no summary line")
    _add_model_options(fix)
    _add_errors_option(fix)
    fix.set_defaults(run=cmd_fix)

    explain = _whole_file_command(
        commands, "explain", cmd_explain, help="show how each word was restored",
        description="Show, for each word the decoder restored or changed (every word with "
                    "--all), its position (line:column), the form chosen, its confidence and the "
                    f"alternatives. Choices with confidence below {LOW_CONFIDENCE} are marked '?'.",
        examples="""\
  vnrestore explain letter.txt                   restored words, top 3 alternatives
  vnrestore explain --all --top 5 letter.txt     every word, 5 alternatives
  vnrestore explain --format jsonl letter.txt    one JSON object per word (schema in README)
  ocr-tool | vnrestore explain --mode ocr        stdin""")
    explain.add_argument("--format", choices=("text", "jsonl"), default="text",
                         help="text (default) or one JSON object per word")
    _add_alternatives_options(explain)
    explain.add_argument("--all", action="store_true", help="list every word, not only restored ones")

    review = _whole_file_command(
        commands, "review", cmd_review, help="write an HTML page for checking a restored file",
        description="Write one self-contained HTML page showing the restored FILE with changed "
                    "words marked, uncertain ones (confidence below "
                    f"{LOW_CONFIDENCE}) highlighted, the original and alternatives on hover or "
                    "focus, and a summary. The page is an editor: pick an alternative or the "
                    "original for any word, then download the corrected text and the decisions "
                    "(JSONL). On OCR'd or mostly changed text it tints only what needs a look.",
        examples="""\
  vnrestore review letter.txt -o letter.html     then open letter.html in a browser""")
    review.add_argument("-o", "--output", required=True, metavar="PAGE.html", help="the page to write")

    info = _add_command(commands, "info", help="describe a model",
                        description="Print a model's metadata: sizes, counts, inputs, licence.",
                        examples="  vnrestore info                                 the shipped model\n"
                                 "  vnrestore info --model /tmp/my-model           a model you built")
    _add_model_options(info, style=False)
    info.set_defaults(run=cmd_info)

    build = _add_command(
        commands, "build-model", help="build a model from a corpus",
        examples="  vnrestore build-model --corpus corpus/ --out /tmp/my-model\n"
                 "  vnrestore fix --model /tmp/my-model letter.txt",
        description="Build model files from a corpus: UTF-8 text with diacritics, one paragraph "
                    "per line, in .txt, .txt.xz or .txt.gz files; a directory contributes its "
                    "files matching --glob (not its subdirectories).")
    sources = build.add_mutually_exclusive_group(required=True)
    sources.add_argument("--corpus", type=Path, nargs="+", metavar="PATH",
                         help="corpus files or directories (one corpus)")
    sources.add_argument("--component", type=_component, action="append", metavar="NAME=PATH[,PATH...]",
                         help="a named corpus component: files or directories (repeatable)")
    build.add_argument("--weight", type=_weight, action="append", metavar="NAME=W",
                       help="weight of a component (default 1): with --mix counts a whole-number "
                            "count multiplier, with --mix interpolate its interpolation weight "
                            "(normalised to sum to one)")
    build.add_argument("--mix", choices=MIXES, default="counts",
                       help="how components combine: 'counts' (one Kneser-Ney model of weighted "
                            "counts, the default) or 'interpolate' (one model per component, merged "
                            "into one backoff model)")
    build.add_argument("--mix-in", type=_weight, action="append", metavar="NAME=λ",
                       help="with --mix counts: also interpolate this component's own model into the "
                            "pooled one with weight λ (0 < λ, the λs summing to less than 1), to favour "
                            "its register without multiplying counts (repeatable)")
    build.add_argument("--trigger-entries", type=_int_between(0, 1 << 24), default=DEFAULT_TRIGGER_ENTRIES,
                       metavar="N",
                       help="scores kept in the trigger table, which lets the words 3 to 6 words away "
                            f"weigh a word's forms (default {DEFAULT_TRIGGER_ENTRIES:,}; 0: no table)")
    build.add_argument("--glob", action="append", metavar="PATTERN",
                       help="which files of a corpus directory to read (repeatable; default: "
                            f"{' '.join(CORPUS_PATTERNS)}), e.g. --glob '*.txt.xz' to leave out "
                            "side files such as title lists")
    build.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write the model to")
    build.add_argument("--order", type=_int_between(2, MAX_ORDER), default=DEFAULT_ORDER,
                       help=f"n-gram order, 2 to {MAX_ORDER} (default {DEFAULT_ORDER})")
    build.add_argument("--cutoff", type=_cutoff, action="append", metavar="N=C",
                       help="drop n-grams of order N seen fewer than C times (repeatable; "
                            "orders not given keep the defaults)")
    build.add_argument("--keep-best", type=_cutoff, action="append", metavar="N=K",
                       help="also keep K of the n-grams of order N that the cut-off drops: those whose "
                            "loss costs the model most (relative entropy, Stolcke 1998), to spend a size "
                            "budget where it pays (repeatable)")
    build.add_argument("--fallback", type=Path, metavar="FILE",
                       help="syllable list (one a line) added to the vocabulary even if unseen, "
                            "offered for keys the corpus never wrote (default: the inventory "
                            "shipped with vnrestore, lexicon/syllables.txt)")
    build.add_argument("--jobs", type=_int_between(1, 1024), metavar="N",
                       help="worker processes (default: one per CPU)")
    build.add_argument("--abbreviations", type=Path, metavar="FILE",
                       help="an 'ABBR:expansion' list; its abbreviations with Vietnamese letters "
                            "(HĐND) are restored when typed without them (HDND), and its abbreviations "
                            "with one reading are read by the LM as what they stand for")
    build.add_argument("--min-word-count", type=_int_between(0, 1 << 30), default=DEFAULT_MIN_WORD_COUNT,
                       metavar="N", help="a non-syllable word (UBND, Facebook) seen N times or more gets an LM "
                                         f"symbol of its own, else it is <unk> (0: never; default {DEFAULT_MIN_WORD_COUNT})")
    build.add_argument("--no-expansions", action="store_true",
                       help="do not read abbreviations as what they stand for")
    build.add_argument("--gazetteer", type=Path, metavar="DIR",
                       help="a names folder (names-admin-*.txt, names-person-*.txt): place and person names "
                            "counted as name n-grams")
    build.add_argument("--gazetteer-weight", type=_int_between(0, 1000), default=DEFAULT_GAZETTEER_WEIGHT,
                       metavar="N", help=f"times each gazetteer entry is counted (default {DEFAULT_GAZETTEER_WEIGHT})")
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
