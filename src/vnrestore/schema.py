"""The JSON records of ``fix --format jsonl`` and ``explain --format jsonl``.

One schema for both commands (README, "JSONL output", lists the fields; a test checks
that list against these records): offsets count characters from the start of the
input, whichever command wrote them, and alternatives are the few that matter (the
``top`` most probable with at least ``min_probability``), not every candidate.
``VERSION`` changes whenever a field changes meaning or goes away.
"""

from __future__ import annotations

from .plan import PROTECTED, RESTORED

VERSION = 1
TOP = 3                # alternatives shown by default (explain's text output too)
MIN_PROBABILITY = 0.01


def is_word(choice) -> bool:
    """A word, or a token that restoration treated as one (OCR noise such as d6i, v&i,
    1am is tokenized as a code but repaired as a word)."""
    return choice.kind == "word" or choice.source != PROTECTED


def is_change(choice) -> bool:
    """What ``explain`` lists by default: words the decoder chose a form for, and any
    other token whose output differs from its input (HDND -> HĐND)."""
    return choice.source == RESTORED or choice.output != choice.input


def alternatives(choice, top: int = TOP, min_probability: float = MIN_PROBABILITY) -> list[tuple[str, float]]:
    """The `top` most probable forms with at least `min_probability` (best first)."""
    return [(form, p) for form, p in choice.alternatives[:top] if p >= min_probability]


def word_record(choice, *, file: str, line: int, column: int, offset: int = 0, top: int = TOP,
                min_probability: float = MIN_PROBABILITY) -> dict:
    """One word: `offset` is added to the choice's span so that it counts from the
    start of the input."""
    return {
        "version": VERSION, "file": file, "line": line, "column": column,
        "start": choice.start + offset, "end": choice.end + offset, "kind": choice.kind,
        "input": choice.input, "output": choice.output, "changed": choice.output != choice.input,
        "source": choice.source, "confidence": round(choice.confidence, 4),
        "alternatives": [[form, round(p, 4)] for form, p in alternatives(choice, top, min_probability)],
    }


def line_record(choices, *, file: str, line: int, start: int, text: str, top: int = TOP,
                min_probability: float = MIN_PROBABILITY) -> dict:
    """One input line of ``fix --format jsonl``: its restored text (without the line
    end) and its words; `start` is the line's offset in the input."""
    words = [word_record(c, file=file, line=line, column=c.start + 1, offset=start, top=top,
                         min_probability=min_probability) for c in choices if is_word(c)]
    return {
        "version": VERSION, "file": file, "line": line, "start": start, "text": text,
        "changed": any(w["changed"] for w in words), "words": words,
    }
