"""Seeded fuzzer: many generated inputs through the API (every mode and style) and the CLI.

    python benchmarks/fuzz.py --inputs 1000000 --jobs 2 --seed 1

Inputs are real lines (the dev sets and the OCR example page when ../shared is there,
else a few built-in lines), plain or accented, cut, mutated (inserted, deleted and
swapped characters, case flips, line ends of every kind), random Unicode, control
characters, NFD text and huge tokens.  Every input is checked for:

* ``exception``    — restore, explain or the CLI raised (or the CLI printed a traceback);
* ``nonword``      — a character that is not part of a word (spaces, line ends,
  punctuation other than the symbols OCR writes for letters) was changed, added or lost
  (OCR mode may turn a period into a comma: between lower-case words it is a misread one);
* ``stripped``     — plain mode changed a word beyond its diacritics;
* ``explain``      — explain's outputs do not concatenate to restore's output;
* ``independence`` — an input restored on its own differs from the same input restored
  among others by ``restore_many`` (in plain and ocr mode; auto mode chooses plain or
  ocr per block, so there only the other checks apply).  The other checks read the
  inputs joined with blank lines into one text: that resets the LM context, but the
  inputs then share one document memory, so only ``restore_many`` keeps them apart;
* ``threads``      — one Restorer shared by threads gave other outputs than one thread;
* ``cli``          — ``vnrestore fix`` disagreed with the API, or failed with other than
  exit 1 and one line on stderr.

The run is split into tasks (a few hundred inputs each, seeded by --seed and the task
number, so a run is reproducible whatever --jobs is) spread over --jobs processes.  It
prints the inputs tried and the violations by kind with the shortest example of each, and
exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import regex

from vnrestore import Options, Restorer, cli
from vnrestore.model import Model
from vnrestore.ocr import _SYMBOLS
from vnrestore.orthography import strip_accents

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNRESTORE_SHARED", ROOT.parent / "shared"))
SEPARATOR = "\n\n\u2042\n\n"  # ⁂ between blank lines: a segment of its own, never generated
COMBOS = [(mode, style) for mode in ("plain", "ocr", "auto") for style in ("new", "old")]
BATCH_INPUTS = 200        # inputs joined into one restore call
BATCH_CHARS = 30_000      # ... at most (below the pipeline's block size, so no block cut)
THREADS_EVERY = 10        # one batch in this many also runs on 3 threads sharing a Restorer
CLI_EVERY = 25            # one batch in this many also goes through `vnrestore fix` in-process
SINGLE_CHECKS = 2         # inputs per batch also restored on their own (independence)
BUILTIN_LINES = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Ủy ban nhân dân xã Nguyễn Lương Bằng báo cáo sơ kết 05 năm thực hiện công tác dân vận.",
    "Căn cứ Nghị định số 33/2025/NĐ-CP ngày 15/8/2025 của Chính phủ;",
    "So két 05 nim thye hién cong tic dan van ciia co quan hanh chinh",
    "1. Cép uy Pang, chinh quyén dia phuong ciing cac ban, nganh, doan thé da",
    "Email: ubnd@haiphong.gov.vn — https://haiphong.gov.vn/tin-tuc?id=12",
    "HĐND và UBND tỉnh đã họp (lần 2), thông qua 1.000.000 đồng/người.",
    "Ông Nguyễn Văn A, sinh năm 1970, trú tại thôn Đông, xã Hòa Bình.",
    "“Đây là lời trích dẫn”, anh ấy nói… rồi đi về nhà!",
]
_POOLS = {
    "ascii": [chr(c) for c in range(0x20, 0x7f)],
    "viet": list("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐĂÂÊÔƠƯ"),
    "marks": ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b", "\u0308"],
    "control": [chr(c) for c in range(0x00, 0x20)] + ["\x7f", "\x85", "\u200b", "\u200d", "\ufeff",
                                                       "\u2028", "\u2029", "\u202e", "\ufffd"],
    "ocr": list(_SYMBOLS + "0123456789"),
    "breaks": ["\n", "\r", "\r\n", "\n\n", " \n", "\t", "\u00a0", "\u3000"],
    "other": list("中文字日本語한국어עבריתالعربيةΑλφαДжё😀🇻🇳👍🏽\U0001d400"),
}


# -- inputs ---------------------------------------------------------------------------
def seed_lines() -> list[str]:
    """Real lines to start from: the dev sets and the OCR page if ../shared is there."""
    lines = list(BUILTIN_LINES)
    for path in sorted((SHARED / "eval" / "dev").glob("*.txt")) + [SHARED / "examples" / "report-2021-2025.ocr.txt"]:
        with contextlib.suppress(OSError):
            lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line.replace("\u2042", "*") for line in lines]


def random_char(rng: random.Random) -> str:
    pool = rng.choice(list(_POOLS))
    if pool == "other" and rng.random() < 0.3:  # anywhere in Unicode, lone surrogates included
        return chr(rng.randrange(0x110000))
    return rng.choice(_POOLS[pool])


def fragment(rng: random.Random, lines: list[str]) -> str:
    words = rng.choice(lines).split(" ")
    start = rng.randrange(len(words))
    text = " ".join(words[start:start + rng.randint(1, 16)])
    roll = rng.random()
    if roll < 0.6:
        text = strip_accents(text)
    elif roll < 0.7:
        text = text.upper()
    elif roll < 0.75:
        text = unicodedata.normalize("NFD", text)
    return text


def mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randint(0, len(chars))
        if op == 0:
            chars[at:at] = [random_char(rng)]
        elif op == 1 and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == 2 and len(chars) > 1:
            i = min(at, len(chars) - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == 3:
            chars[at:at] = list(rng.choice(_POOLS["breaks"]))
        elif op == 4 and chars:
            i = min(at, len(chars) - 1)
            chars[i] = chars[i].swapcase()
        else:
            chars[at:at] = list(rng.choice(_POOLS["ocr"]) * rng.randint(1, 2))
    return "".join(chars)


def huge(rng: random.Random) -> str:
    size = rng.choice([300, 2_000, 8_000])
    kind = rng.randrange(4)
    if kind == 0:
        return "".join(rng.choice("abcdeghiklmnopqrstuvxy") for _ in range(size))  # one huge word
    if kind == 1:
        return "cong " * (size // 5)  # a huge paragraph of one word
    if kind == 2:
        return "".join(rng.choice("0123456789/-.") for _ in range(size))
    return "a" + "\u0301" * size  # one letter with a pile of combining marks


def generate(rng: random.Random, lines: list[str]) -> str:
    roll = rng.random()
    if roll < 0.35:
        text = fragment(rng, lines)
    elif roll < 0.75:
        text = mutate(rng, fragment(rng, lines))
    elif roll < 0.85:
        text = "".join(random_char(rng) for _ in range(rng.randint(0, 30)))
    elif roll < 0.95:
        text = " ".join(rng.choice([fragment(rng, lines), random_char(rng), rng.choice(_POOLS["control"])])
                        for _ in range(rng.randint(1, 6)))
    elif roll < 0.995:
        text = unicodedata.normalize("NFD", rng.choice(lines))
    else:
        text = huge(rng)
    return text.replace("\u2042", "*")


# -- checks ---------------------------------------------------------------------------
# Letters, marks and digits as the tokenizer's `regex` sees them: its Unicode is newer
# than the unicodedata of some Pythons (3.11 has 14.0), and a character it knows as a
# letter (U+13DBE, an Egyptian hieroglyph of Unicode 16) is rightly part of a word.
_WORD_CHAR = regex.compile(rf"[\p{{L}}\p{{M}}\p{{N}}{regex.escape(_SYMBOLS)}]")


def nonword(text: str) -> list[str]:
    """The characters restoring must keep, in order: everything but letters, marks,
    digits and the symbols OCR writes for letters (OCR mode may change those)."""
    return _WORD_CHAR.sub("", text)


def ocr_nonword(text: str) -> list[str]:
    """``nonword`` for OCR mode, which may write a period as the comma it stands for."""
    return nonword(text).replace(".", ",")


@dataclass
class Report:
    inputs: int = 0      # generated and checked through the API (or the CLI subprocess)
    cli_inputs: int = 0  # of those, also through the CLI
    violations: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)  # kind -> shortest example

    def add(self, kind: str, example: str) -> None:
        self.violations[kind] = self.violations.get(kind, 0) + 1
        self.add_example(kind, example)

    def merge(self, other: "Report") -> None:
        self.inputs += other.inputs
        self.cli_inputs += other.cli_inputs
        for kind, count in other.violations.items():
            self.violations[kind] = self.violations.get(kind, 0) + count
            self.add_example(kind, other.examples[kind])

    def add_example(self, kind: str, example: str) -> None:
        if kind not in self.examples or len(example) < len(self.examples[kind]):
            self.examples[kind] = example


class Checker:
    """Runs the checks of one process; one Restorer per (mode, style), one model."""

    def __init__(self, model: Model | None = None):
        self.model = model or Model.load()
        self.restorers = {combo: Restorer(self.model, Options(mode=combo[0], style=combo[1]))
                          for combo in COMBOS}

    def batch(self, inputs: list[str], combo: tuple[str, str], number: int, rng: random.Random,
              report: Report) -> None:
        restorer = self.restorers[combo]
        tag = f"mode={combo[0]} style={combo[1]}"
        report.inputs += len(inputs)
        joined = SEPARATOR.join(inputs)
        try:
            restored = restorer.restore(joined)
            explained = "".join(c.output for c in restorer.explain(joined))
        except Exception as exc:  # noqa: BLE001 - any exception is what we look for
            self._find_exception(restorer, inputs, tag, exc, report)
            return
        if explained != restored:
            self._blame(inputs, tag, "explain", report,
                        lambda s: "".join(c.output for c in restorer.explain(s)) != restorer.restore(s))
        outputs = restored.split(SEPARATOR)
        if len(outputs) != len(inputs):
            report.add("nonword", f"{tag}: the separators did not survive in {joined[:200]!r}")
            return
        kept = nonword if combo[0] == "plain" else ocr_nonword
        for text, out in zip(inputs, outputs):
            if kept(text) != kept(out):
                report.add("nonword", f"{tag}: {text!r} -> {out!r}")
            if combo[0] == "plain" and strip_accents(text) != strip_accents(out):
                report.add("stripped", f"{tag}: {text!r} -> {out!r}")
        separate = None
        if combo[0] != "auto":
            # Each input a text of its own: joined, they are one document and share its
            # document memory, so it is restore_many that must equal restore alone.
            separate = restorer.restore_many(inputs)
            for k in rng.sample(range(len(inputs)), min(SINGLE_CHECKS, len(inputs))):
                alone = restorer.restore(inputs[k])
                if alone != separate[k]:
                    report.add("independence", f"{tag}: {inputs[k]!r} alone -> {alone!r}, "
                                               f"among others -> {separate[k]!r}")
        if number % THREADS_EVERY == 0:
            self._threads(inputs, combo, joined, restored, separate, tag, report)
        if number % CLI_EVERY == 0:
            self._cli(inputs, combo, joined, tag, report)

    def _find_exception(self, restorer, inputs, tag, exc, report) -> None:
        """Which input raised: try them one by one."""
        for text in inputs:
            try:
                restorer.restore(text)
                restorer.explain(text)
            except Exception as single:  # noqa: BLE001
                report.add("exception", f"{tag}: {text!r}: {type(single).__name__}: {single}")
                return
        report.add("exception", f"{tag}: only together: {type(exc).__name__}: {exc}: "
                                f"{traceback.format_exc(limit=-1).strip()}")

    @staticmethod
    def _blame(inputs, tag, kind, report, fails) -> None:
        culprit = next((t for t in inputs if fails(t)), None)
        report.add(kind, f"{tag}: {culprit!r}" if culprit is not None else f"{tag}: only together")

    def _threads(self, inputs, combo, joined, restored, outputs, tag, report) -> None:
        """A fresh Restorer (so its lazy set-up races too) shared by 3 threads: in auto
        mode each restores the whole batch, otherwise each a third of it."""
        shared = Restorer(self.model, Options(mode=combo[0], style=combo[1]))
        parts = 3
        results: dict[int, str] = {}
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                # each input a text of its own (joined, they would share a document memory)
                results[k] = shared.restore(joined) if combo[0] == "auto" else \
                    SEPARATOR.join(shared.restore_many(inputs[k::parts]))
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(parts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            report.add("threads", f"{tag}: {type(errors[0]).__name__}: {errors[0]}")
            return
        for k in range(parts):
            expected = restored if combo[0] == "auto" else SEPARATOR.join(outputs[k::parts])
            if results[k] != expected:
                report.add("threads", f"{tag}: thread {k} of {parts} differs on {joined[:300]!r}")

    def _cli(self, inputs, combo, joined, tag, report) -> None:
        """The batch as a file through `vnrestore fix` (in this process): its output
        must be the API's, or it must fail with exit 1 and one line on stderr (a NUL
        byte makes the file look binary; a lone surrogate cannot be written as UTF-8)."""
        report.cli_inputs += len(inputs)
        with tempfile.TemporaryDirectory(prefix="vnrestore-fuzz-") as tmp:
            source, target = Path(tmp, "in.txt"), Path(tmp, "out.txt")
            source.write_bytes(joined.encode("utf-8", "surrogatepass"))
            stderr = io.StringIO()
            argv = ["fix", str(source), "-o", str(target), "--mode", combo[0], "--style", combo[1],
                    "--legacy", "off"]
            try:
                with contextlib.redirect_stderr(stderr):
                    code = cli.main(argv)
            except BaseException as exc:  # noqa: BLE001
                report.add("cli", f"{tag}: raised {type(exc).__name__}: {exc}")
                return
            lines = stderr.getvalue().splitlines()
            if code == 0:
                expected = self.restorers[combo].restore(joined).encode("utf-8", "surrogatepass")
                if target.read_bytes() != expected:
                    report.add("cli", f"{tag}: output differs from the API's on {joined[:300]!r}")
            elif not (code == 1 and len(lines) == 1 and lines[0].startswith("vnrestore: ")):
                report.add("cli", f"{tag}: exit {code}, stderr {stderr.getvalue()[:300]!r}")


def cli_subprocess(inputs: list[str], report: Report) -> None:
    """One real `python -m vnrestore fix` run, stdin to stdout (the start-up costs a
    second, so a task runs one)."""
    text = SEPARATOR.join(t for t in inputs if not any(0xD800 <= ord(c) < 0xE000 for c in t) and "\0" not in t)
    proc = subprocess.run([sys.executable, "-m", "vnrestore", "fix", "-", "--legacy", "off"],
                          input=text.encode("utf-8"), capture_output=True, timeout=600)
    report.inputs += len(inputs)
    report.cli_inputs += len(inputs)
    if proc.returncode != 0:
        report.add("cli", f"subprocess exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-300:]!r}")
    elif proc.stdout.decode("utf-8").count(SEPARATOR) != text.count(SEPARATOR):
        report.add("cli", "subprocess output lost a separator")


# -- running --------------------------------------------------------------------------
_checker: Checker | None = None
_lines: list[str] = []


def _init() -> None:
    global _checker, _lines
    _checker = Checker()
    _lines = seed_lines()


def run_task(seed: int, task: int, count: int, subprocess_cli: bool = True) -> Report:
    """`count` inputs, seeded by (seed, task): reproducible on its own."""
    if _checker is None:
        _init()
    rng = random.Random(f"{seed}:{task}")
    report = Report()
    made = 0
    number = task * 1000
    while made < count:
        inputs, size = [], 0
        while made < count and len(inputs) < BATCH_INPUTS and size < BATCH_CHARS:
            text = generate(rng, _lines)
            inputs.append(text)
            size += len(text)
            made += 1
        _checker.batch(inputs, COMBOS[number % len(COMBOS)], number, rng, report)
        number += 1
    if subprocess_cli:
        cli_subprocess([generate(rng, _lines) for _ in range(50)], report)
    return report


def fuzz(inputs: int, jobs: int = 1, seed: int = 0, per_task: int = 2_000, progress=None) -> Report:
    counts = [per_task] * (inputs // per_task) + ([inputs % per_task] if inputs % per_task else [])
    report = Report()
    if jobs <= 1:
        for task, count in enumerate(counts):
            report.merge(run_task(seed, task, count))
            if progress:
                progress(report)
        return report
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init) as pool:
        futures = [pool.submit(run_task, seed, task, count) for task, count in enumerate(counts)]
        for future in as_completed(futures):
            report.merge(future.result())
            if progress:
                progress(report)
    return report


def describe(report: Report, seconds: float) -> str:
    lines = [f"inputs tried: {report.inputs:,} (API: restore and explain, over {len(COMBOS)} "
             f"mode/style combinations; {report.cli_inputs:,} also through the CLI) in {seconds:,.0f} s",
             f"violations: {sum(report.violations.values())}"]
    for kind, count in sorted(report.violations.items()):
        lines.append(f"  {kind}: {count}, e.g. {report.examples[kind][:500]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs to generate (default 10,000)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-task", type=int, default=2_000, help="inputs per task (default 2,000)")
    parser.add_argument("--progress", action="store_true", help="print a line after each task")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    shown: set[str] = set()

    def show(report: Report) -> None:
        for kind in sorted(set(report.examples) - shown):  # a long run's log keeps an example
            print(f"    first {kind}: {report.examples[kind][:500]}", flush=True)
            shown.add(kind)
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.violations.items()))
        print(f"... {report.inputs:,} inputs, {sum(report.violations.values())} violations"
              f"{' (' + kinds + ')' if kinds else ''}, {time.perf_counter() - start:,.0f} s", flush=True)

    report = fuzz(args.inputs, args.jobs, args.seed, args.per_task, show if args.progress else None)
    print(describe(report, time.perf_counter() - start))
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
