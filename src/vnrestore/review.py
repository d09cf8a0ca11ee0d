"""A self-contained HTML page for checking and correcting a restored document.

``render_review`` turns the choices of ``Restorer.explain`` into one HTML5 document
(inline CSS, two small inline scripts and a JSON data block; nothing fetched from
anywhere) that shows the restored text with its line breaks and tints the words a
reviewer should look at.  Hovering or focusing a word shows the original, the
confidence and the alternatives; clicking it (or Enter/Space) opens its choices: the
alternatives, the model's choice and the original, picked with the mouse, the arrow
keys or a digit.  Only the uncertain words are in the Tab order, and ``n``/``p`` (or
the buttons) jump between them.  Two buttons save the work, made in the page itself
(Blob + object URL): the corrected text, and the decisions as JSONL (one record per
editable word, with the CLI's JSONL fields plus ``final`` and ``reviewed``).

Two views, because what a tint should say depends on the text:

- ``"changes"``: every changed word is tinted, uncertain ones in red.  Right when few
  words change (an accented text with a few fixes).
- ``"focus"``: when nearly every word changed (a text typed without diacritics) or
  the text was OCR'd, a tint on every word says nothing.  Then a change of accents
  alone gets a faint underline, and the tints go to what needs a look: uncertain
  words, letters changed beyond the accents (``d6i`` -> ``đối``), and OCR readings
  kept as read although they are not Vietnamese syllables (``tir``).

The text of the document part (``<div id="doc">``) is exactly the restored text (with
the reviewer's edits, once made), so the corrected download is byte-exact.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .orthography import is_valid_syllable, key
from .pipeline import TokenChoice
from .plan import KEPT, RESTORED, UNKNOWN
from .review_assets import CSS as _CSS
from .review_assets import ERROR_HOOK as _ERROR_HOOK
from .review_assets import SCRIPT as _SCRIPT
from .textio import atomic_output
from .tokenize import WORD

__all__ = ["render_review", "write_review", "ReviewCounts", "review_counts", "choose_view", "VIEWS"]

MAX_ALTERNATIVES = 5      # alternatives listed for a word
MIN_ALTERNATIVE = 0.001   # alternatives less likely than this are not listed
VIEWS = ("changes", "focus")
# The "focus" view is chosen when at least this share of the words (and at least two)
# had letters changed beyond their accents (only OCR mode does that: plain restoration
# adds accents only)...
FOCUS_LETTERS_SHARE = 0.01
FOCUS_LETTERS_MIN = 2
# ... or when more than this share of the words changed at all.
FOCUS_CHANGED_SHARE = 0.5


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# Only these exact inline scripts and styles may run: nothing is loaded from anywhere,
# and even text that slipped through escaping could not execute.
_CSP = (
    "default-src 'none'; "
    f"script-src {_csp_hash(_ERROR_HOOK)} {_csp_hash(_SCRIPT)}; "
    f"style-src {_csp_hash(_CSS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class ReviewCounts:
    """The numbers in the summary of a review page."""

    words: int      # word tokens, and letter-digit runs restored as words (d6i, x3)
    changed: int    # tokens whose output differs from the input
    uncertain: int  # restored words with confidence below the threshold
    unknown: int    # words left as written because they have no Vietnamese reading
    letters: int = 0  # tokens whose letters changed beyond the accents (OCR repairs)
    kept: int = 0     # words the decoder kept as read although they are no Vietnamese syllable


def _is_changed(choice: TokenChoice) -> bool:
    return choice.output != choice.input


def _is_uncertain(choice: TokenChoice, low_confidence: float) -> bool:
    return choice.source == RESTORED and choice.confidence < low_confidence


def _letters_changed(choice: TokenChoice) -> bool:
    """Whether the output differs from the input beyond accents and case (x3 -> xã)."""
    return choice.output != choice.input and key(choice.output) != key(choice.input)


def _kept_as_read(choice: TokenChoice) -> bool:
    """A word kept as written although it spells no Vietnamese syllable: in OCR mode,
    a reading such as "tir" or "chite" that may be noise left in place.  All-capital
    tokens (UBND, heading numbers such as II) are what they look like, so not counted."""
    return (choice.source == KEPT and choice.kind == WORD and not choice.input.isupper()
            and not is_valid_syllable(unicodedata.normalize("NFC", choice.input).lower()))


def _is_editable(choice: TokenChoice) -> bool:
    """Words the reviewer can choose a form for: those with alternatives, those that
    changed, and those left as written that may be noise (kept as read, unknown)."""
    return (choice.source in (RESTORED, UNKNOWN) or _is_changed(choice) or _kept_as_read(choice))


def review_counts(choices: Iterable[TokenChoice], low_confidence: float = 0.6) -> ReviewCounts:
    """Words, changed tokens, uncertain restored words, unknown words, tokens with
    letters changed beyond the accents and words kept as read in `choices`."""
    words = changed = uncertain = unknown = letters = kept = 0
    for c in choices:
        words += c.kind == WORD or c.source == RESTORED
        changed += _is_changed(c)
        uncertain += _is_uncertain(c, low_confidence)
        unknown += c.source == UNKNOWN
        letters += _letters_changed(c)
        kept += _kept_as_read(c)
    return ReviewCounts(words, changed, uncertain, unknown, letters, kept)


def choose_view(counts: ReviewCounts) -> str:
    """ "focus" when a tint on every changed word would say nothing: the text was
    OCR'd (letters changed beyond the accents in at least FOCUS_LETTERS_SHARE of the
    words, and in FOCUS_LETTERS_MIN of them) or most words changed
    (FOCUS_CHANGED_SHARE); "changes" otherwise."""
    if counts.words and (counts.letters >= max(FOCUS_LETTERS_MIN, FOCUS_LETTERS_SHARE * counts.words)
                         or counts.changed > FOCUS_CHANGED_SHARE * counts.words):
        return "focus"
    return "changes"


def _percent(p: float) -> str:
    if p >= 1.0:
        return "100%"
    if p >= 0.9995:
        return ">99.9%"
    if p < 0.0005:
        return "<0.1%"
    return f"{p * 100:.1f}%"


def _hover_text(choice: TokenChoice) -> str:
    """What a reviewer needs to judge one marked word (plain text, lines)."""
    if choice.source == UNKNOWN:
        return "Not recognised as Vietnamese: left as written"
    if _kept_as_read(choice):
        return f"Kept as read: {choice.input} is not a Vietnamese syllable"
    if _is_changed(choice):
        lines = [f"Original: {choice.input}"]
    else:
        lines = [f"Original: {choice.input} (unchanged)"]
    if choice.source == RESTORED:
        lines.append(f"Confidence: {_percent(choice.confidence)}")
        shown = [(form, p) for form, p in choice.alternatives[:MAX_ALTERNATIVES] if p >= MIN_ALTERNATIVE]
        if shown:
            lines.append("Alternatives: " + ", ".join(f"{form} {_percent(p)}" for form, p in shown))
    return "\n".join(lines)


def _text(s: str) -> str:
    # A carriage return written as-is would be turned into a line feed by the HTML
    # parser; as a character reference it survives, so the page text stays exact.
    return html.escape(s, quote=False).replace("\r", "&#13;")


def _attr(s: str) -> str:
    return html.escape(s, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")


def _token_html(choice: TokenChoice, low_confidence: float, k: int | None) -> str:
    """One token: tinted words are <mark>s with their classes, other editable words
    plain <span>s; `k` (editable words only) indexes the page's word data.  Only the
    uncertain words are in the Tab order (the script makes the others focusable by
    click or by n/p without putting them in it)."""
    uncertain = _is_uncertain(choice, low_confidence)
    flags = (("changed", _is_changed(choice)), ("letters", _letters_changed(choice)),
             ("uncertain", uncertain), ("kept", _kept_as_read(choice)))
    classes = [name for name, on in flags if on]
    if choice.source == UNKNOWN:
        classes.append("unknown")
    text = _text(choice.output)
    if k is None:
        return text
    tag = "mark" if set(classes) - {"unknown"} else "span"
    cls = f' class="{" ".join(classes)}"' if classes else ""
    tab = ' tabindex="0"' if uncertain else ""
    return f'<{tag}{cls} data-k="{k}"{tab} title="{_attr(_hover_text(choice))}">{text}</{tag}>'


def _word_data(choice: TokenChoice) -> dict:
    """What the page script needs of an editable word: the CLI's JSONL record, with the
    alternatives cut to those worth offering."""
    shown = [[form, round(p, 4)] for form, p in choice.alternatives[:MAX_ALTERNATIVES] if p >= MIN_ALTERNATIVE]
    return {**choice.as_dict(), "alternatives": shown}


def _json_block(value) -> str:
    """JSON safe inside a <script type="application/json"> element: no "<" can end it
    or open a comment there, and JSON.parse reads \u003c back as "<"."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _download_stem(title: str) -> str:
    """The downloads' base name: the title's file stem, without characters that file
    systems reject ("van-ban.txt" -> "van-ban")."""
    stem = Path(title.replace("\\", "/")).stem if title else ""
    stem = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", stem).strip(" .")
    return stem or "review"


def _count(label: str, ident: str, value: int, note: str = "") -> str:
    return (f'<div><dt>{label}</dt><dd id="count-{ident}" data-count="{value}">{value}{note}</dd></div>')


def _check_view(view) -> None:
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(map(repr, VIEWS))} or None, not {view!r}")


def _legend(view: str, counts: ReviewCounts, threshold: str) -> str:
    """The legend of the view, and for the focus view one sentence on why it is used."""
    uncertain = (f'<li><mark class="changed uncertain" lang="vi">chưa chắc</mark> uncertain: '
                 f"confidence below {threshold}</li>")
    edited = ('<li><mark class="changed reviewed edited" lang="vi">đã chọn</mark> edited by you '
              '(<span class="reviewed">underlined</span>: kept after review)</li>')
    hint = ("Hover or focus a word for the original and the alternatives; click it, or press "
            "Enter on it, to choose its form.")
    if view == "focus":
        items = [
            uncertain,
            '<li><mark class="changed letters" lang="vi">đối</mark> letters changed, not only accents</li>',
            '<li><mark class="kept" lang="vi">tir</mark> kept as read, not a Vietnamese syllable</li>',
            '<li><mark class="changed" lang="vi">đã sửa</mark> accents restored (faint)</li>',
            '<li><span class="unknown">Xyz</span> not recognised, left as written</li>',
            edited,
        ]
        accents = counts.changed - counts.letters
        note = (f'<p class="view-note hint">{counts.changed} of {counts.words} words changed, '
                f"{accents} of them only in their accents: those get a faint underline, and the tints "
                f"show what needs a look. {hint}</p>\n")
    else:
        items = [
            '<li><mark class="changed" lang="vi">đã sửa</mark> changed word</li>',
            uncertain,
            '<li><span class="unknown">Xyz</span> not recognised, left as written</li>',
            edited,
        ]
        note = f'<p class="view-note hint">{hint}</p>\n'
    return '<ul class="legend" aria-label="Legend">\n' + "\n".join(items) + "\n</ul>\n" + note


def render_review(choices: Sequence[TokenChoice], *, title: str, low_confidence: float = 0.6,
                  view: str | None = None) -> str:
    """One self-contained HTML5 page showing the restored text of `choices` for review.

    Every token whose output differs from its input is a ``<mark class="changed">``,
    with ``letters`` when its letters changed beyond the accents; restored words with
    ``confidence < low_confidence`` get ``uncertain``, and restored words kept as
    written although they spell no Vietnamese syllable ``kept``.  Every editable word
    (restored or changed) has a ``data-k`` index into the page's word data and the
    original, the confidence and the alternatives in its ``title``.  The text content
    of ``<div id="doc">`` is exactly ``"".join(c.output for c in choices)``.

    `view` is ``"changes"``, ``"focus"`` (see the module) or None to choose from the
    choices themselves (``choose_view``).
    """
    _check_view(view)
    choices = list(choices)
    counts = review_counts(choices, low_confidence)
    view = view or choose_view(counts)
    parts, words = [], []
    for c in choices:
        k = None
        if _is_editable(c):
            k = len(words)
            words.append(_word_data(c))
        parts.append(_token_html(c, low_confidence, k))
    # The records as rows under one list of field names: a third smaller than objects.
    fields = list(words[0]) if words else []
    data = _json_block({"name": _download_stem(title), "fields": fields,
                        "rows": [[w[f] for f in fields] for w in words]})
    share = f" ({counts.changed / counts.words:.0%})" if counts.words else ""
    threshold = f"{low_confidence * 100:g}%"
    ocr_counts = (f'\n{_count("Letters changed", "letters", counts.letters)}'
                  f'\n{_count("Kept as read", "kept", counts.kept)}') if view == "focus" else ""
    t = _text(title)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vnrestore review">
<title>{t}</title>
<style>{_CSS}</style>
</head>
<body class="view-{view}">
<script>{_ERROR_HOOK}</script>
<header class="summary" lang="en">
<h1 lang="vi">{t}</h1>
<dl class="counts">
{_count("Words", "words", counts.words)}
{_count("Changed", "changed", counts.changed, share)}{ocr_counts}
{_count("Uncertain", "uncertain", counts.uncertain)}
{_count("Not recognised", "unknown", counts.unknown)}
</dl>
{_legend(view, counts, threshold)}<div class="controls">
<label><input type="checkbox" id="only-uncertain"> Only uncertain highlights</label>
<button type="button" id="prev-uncertain" aria-keyshortcuts="p">&#8592; Previous uncertain <kbd>p</kbd></button>
<button type="button" id="next-uncertain" aria-keyshortcuts="n">Next uncertain <kbd>n</kbd> &#8594;</button>
<span id="nav-status" role="status" aria-live="polite"></span>
<span class="downloads">
<span id="edit-status" role="status" aria-live="polite">No edits yet</span>
<button type="button" id="download-text">Download corrected text</button>
<button type="button" id="download-decisions">Download decisions (JSONL)</button>
</span>
</div>
</header>
<main>
<h2 class="visually-hidden" lang="en">Restored text</h2>
<div id="doc" class="doc">{"".join(parts)}</div>
<div id="chooser" class="chooser" role="dialog" aria-labelledby="chooser-title" lang="en" hidden>
<p id="chooser-title"></p>
<ol id="chooser-options"></ol>
<label>Other form <input type="text" id="chooser-custom" lang="vi" autocomplete="off" spellcheck="false"></label>
<p class="chooser-hint">Click, or <kbd>1</kbd>&#8211;<kbd>9</kbd>, or <kbd>&#8593;</kbd><kbd>&#8595;</kbd> and Enter; type another form and Enter; Esc closes</p>
</div>
</main>
<script type="application/json" id="review-data">{data}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_review(restorer, text: str, path, *, title: str, low_confidence: float = 0.6,
                 view: str | None = None) -> Path:
    """Restore `text` with `restorer` and write its review page to `path` (UTF-8).

    The page is written to a temporary file in the same directory and moved over
    `path` only when complete, so an error never leaves a half-written page.
    """
    _check_view(view)
    page = render_review(restorer.explain(text), title=title, low_confidence=low_confidence, view=view)
    target = Path(os.fspath(path))
    with atomic_output(target) as out:
        out.write(page.encode("utf-8"))
    return target
