"""A self-contained HTML page for checking a restored document by eye.

``render_review`` turns the choices of ``Restorer.explain`` into one HTML5 document
(inline CSS and two small inline scripts, nothing fetched from anywhere) that shows the
restored text with its line breaks, marks every word that changed, highlights the
restored words the model was unsure of, and shows the original word, the confidence
and the alternatives with their probabilities on hover or keyboard focus.  A summary at
the top counts words, changes and uncertain words; ``n``/``p`` (or the buttons) jump to
the next/previous uncertain word, and a checkbox hides every highlight but those.

The text of the document part (``<div id="doc">``) is exactly the restored text, so
copying it out of the page gives the same result as ``vnrestore.restore``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .pipeline import RESTORED, UNKNOWN, TokenChoice
from .textio import atomic_output
from .tokenize import WORD

__all__ = ["render_review", "write_review", "ReviewCounts", "review_counts"]

MAX_ALTERNATIVES = 5      # alternatives listed in the hover text of a word
MIN_ALTERNATIVE = 0.001   # alternatives less likely than this are not listed

# Records script errors in the page itself (body[data-script-errors]), so a headless
# browser's --dump-dom shows them; it runs first so it also sees errors of the main script.
_ERROR_HOOK = (
    "window.addEventListener('error',function(e){var b=document.body,"
    "p=b.getAttribute('data-script-errors');"
    "b.setAttribute('data-script-errors',(p?p+' | ':'')+(e.message||'error'));});"
)

_SCRIPT = r"""
(function () {
  "use strict";
  var body = document.body;
  var doc = document.getElementById("doc");
  var marks = Array.prototype.slice.call(doc.querySelectorAll("mark.uncertain"));
  var only = document.getElementById("only-uncertain");
  var prev = document.getElementById("prev-uncertain");
  var next = document.getElementById("next-uncertain");
  var status = document.getElementById("nav-status");
  var pos = -1;

  function mark(i, focus) {
    if (pos >= 0) { marks[pos].classList.remove("current"); }
    pos = i;
    var m = marks[pos];
    m.classList.add("current");
    status.textContent = "Uncertain word " + (pos + 1) + " of " + marks.length;
    if (focus) {
      m.focus({ preventScroll: true });
      m.scrollIntoView({ block: "center", inline: "nearest" });
    }
  }
  function step(delta) {
    if (!marks.length) { return; }
    var i = pos < 0 ? (delta > 0 ? 0 : marks.length - 1) : (pos + delta + marks.length) % marks.length;
    mark(i, true);
  }
  function applyFilter() { body.classList.toggle("only-uncertain", only.checked); }

  if (marks.length) {
    prev.addEventListener("click", function () { step(-1); });
    next.addEventListener("click", function () { step(1); });
  } else {
    prev.disabled = true;
    next.disabled = true;
    status.textContent = "No uncertain words";
  }
  only.addEventListener("change", applyFilter);
  applyFilter();  // a reloaded page may keep the box checked
  doc.addEventListener("focusin", function (e) {
    var i = marks.indexOf(e.target);
    if (i >= 0 && i !== pos) { mark(i, false); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
              (t.tagName === "INPUT" && t.type !== "checkbox"))) { return; }
    if (e.key === "n" || e.key === "N") { step(1); e.preventDefault(); }
    else if (e.key === "p" || e.key === "P") { step(-1); e.preventDefault(); }
  });
  body.setAttribute("data-review-ready", "1");
})();
"""

_CSS = """
:root {
  --ink: #1b1b1b; --muted: #4a4a4a; --paper: #ffffff; --panel: #f3f4f6; --line: #c9ccd1;
  --changed-bg: #fff5c7; --changed-line: #d9c36a;
  --uncertain-bg: #ffd3cc; --uncertain-line: #b3261e;
  --unknown-line: #5b5b5b; --focus: #0b57d0;
  --tip-bg: #1f2937; --tip-ink: #ffffff;
}
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }
body {
  margin: 0; font: 16px/1.5 "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
}
.summary { background: var(--panel); border-bottom: 1px solid var(--line); padding: 0.75rem 1.5rem 0.6rem; }
.summary h1 { font-size: 1.25rem; margin: 0 0 0.4rem; line-height: 1.3; }
.counts { display: flex; flex-wrap: wrap; gap: 0.35rem 1.5rem; margin: 0 0 0.45rem; padding: 0; }
.counts div { display: flex; gap: 0.4rem; align-items: baseline; }
.counts dt { color: var(--muted); }
.counts dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.35rem 1.25rem; margin: 0 0 0.5rem; padding: 0;
  color: var(--muted); font-size: 0.9rem; }
.legend mark, .legend span { color: var(--ink); }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; font-size: 0.95rem; }
.controls button {
  font: inherit; color: var(--ink); background: var(--paper); border: 1px solid #767676; border-radius: 4px;
  padding: 0.2rem 0.7rem; cursor: pointer;
}
.controls button:hover:not(:disabled) { background: #e6e8eb; }
.controls button:disabled { color: #6b6b6b; cursor: default; }
.controls kbd { font: 0.8rem/1 "DejaVu Sans Mono", monospace; border: 1px solid #8a8a8a; border-radius: 3px;
  padding: 0.05rem 0.3rem; background: var(--panel); }
#nav-status { color: var(--muted); }
main { padding: 1.25rem 1.5rem 4rem; }
.doc {
  max-width: 52rem; margin: 0; white-space: pre-wrap; overflow-wrap: break-word;
  font: 1.125rem/1.75 "Noto Serif", "DejaVu Serif", "Liberation Serif", "Times New Roman", serif;
}
mark { color: inherit; border-radius: 2px; position: relative; }
mark.changed { background: var(--changed-bg); box-shadow: inset 0 -1px 0 var(--changed-line); }
mark.uncertain { font-weight: 600; }
mark.uncertain { background: var(--uncertain-bg); box-shadow: inset 0 -2px 0 var(--uncertain-line); }
.unknown { text-decoration: underline dotted var(--unknown-line); text-underline-offset: 0.2em; }
mark[tabindex] { cursor: help; }
mark:focus { outline: 2px solid var(--focus); outline-offset: 1px; }
mark.current { outline: 2px solid var(--uncertain-line); outline-offset: 1px; }
mark.current:focus { outline-color: var(--focus); }
/* keyboard users see the hover text as a tooltip on focus (mouse users get the title) */
.doc mark:focus::after {
  content: attr(data-tip); position: absolute; left: 0; top: calc(100% + 4px); z-index: 10;
  white-space: pre-wrap; width: max-content; max-width: min(26rem, 80vw); background: var(--tip-bg); color: var(--tip-ink); padding: 0.35rem 0.6rem;
  border-radius: 4px; font: 0.85rem/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); pointer-events: none;
}
.only-uncertain .doc mark.changed:not(.uncertain) { background: none; box-shadow: none; }
.only-uncertain .doc .unknown { text-decoration: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media screen { .summary { position: sticky; top: 0; z-index: 20; } }
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
@media print {
  .controls, .hint, .doc mark:focus::after { display: none; }
  .summary { background: none; border-bottom: 1px solid #000; padding: 0 0 0.5rem; }
  main { padding: 0.75rem 0 0; }
  .doc { max-width: none; font-size: 11pt; line-height: 1.6; }
  mark { outline: none !important; }
  mark.changed { background: none; box-shadow: none; text-decoration: underline solid #000; }
  mark.uncertain { background: none; box-shadow: none; text-decoration: underline wavy #000;
    text-decoration-thickness: 1px; }
  .only-uncertain .doc mark.changed:not(.uncertain) { text-decoration: none; }
}
"""


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

    words: int      # word tokens
    changed: int    # tokens whose output differs from the input
    uncertain: int  # restored words with confidence below the threshold
    unknown: int    # words left as written because they have no Vietnamese reading


def _is_changed(choice: TokenChoice) -> bool:
    return choice.output != choice.input


def _is_uncertain(choice: TokenChoice, low_confidence: float) -> bool:
    return choice.source == RESTORED and choice.confidence < low_confidence


def review_counts(choices: Iterable[TokenChoice], low_confidence: float = 0.6) -> ReviewCounts:
    """Words, changed tokens, uncertain restored words and unknown words in `choices`."""
    words = changed = uncertain = unknown = 0
    for c in choices:
        words += c.kind == WORD
        changed += _is_changed(c)
        uncertain += _is_uncertain(c, low_confidence)
        unknown += c.source == UNKNOWN
    return ReviewCounts(words, changed, uncertain, unknown)


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


def _token_html(choice: TokenChoice, low_confidence: float) -> str:
    changed = _is_changed(choice)
    uncertain = _is_uncertain(choice, low_confidence)
    if changed or uncertain:
        classes = " ".join(name for name, on in (("changed", changed), ("uncertain", uncertain)) if on)
        tip = _attr(_hover_text(choice))
        return (f'<mark class="{classes}" tabindex="0" title="{tip}" data-tip="{tip}">'
                f"{_text(choice.output)}</mark>")
    if choice.source == UNKNOWN:
        return (f'<span class="unknown" title="Not recognised as Vietnamese: left as written">'
                f"{_text(choice.output)}</span>")
    return _text(choice.output)


def _count(label: str, ident: str, value: int, note: str = "") -> str:
    return (f'<div><dt>{label}</dt><dd id="count-{ident}" data-count="{value}">{value}{note}</dd></div>')


def render_review(choices: Sequence[TokenChoice], *, title: str, low_confidence: float = 0.6) -> str:
    """One self-contained HTML5 page showing the restored text of `choices` for review.

    Every token whose output differs from its input is a ``<mark class="changed">``;
    restored words with ``confidence < low_confidence`` also get the class
    ``uncertain`` (a plain word kept as written by the decoder gets only that class).
    Marked words carry the original, the confidence and the alternatives in their
    ``title`` (and ``data-tip``, shown on keyboard focus).  The text content of
    ``<div id="doc">`` is exactly ``"".join(c.output for c in choices)``.
    """
    choices = list(choices)
    counts = review_counts(choices, low_confidence)
    body = "".join(_token_html(c, low_confidence) for c in choices)
    share = f" ({counts.changed / counts.words:.0%})" if counts.words else ""
    threshold = f"{low_confidence * 100:g}%"
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
<body>
<script>{_ERROR_HOOK}</script>
<header class="summary" lang="en">
<h1 lang="vi">{t}</h1>
<dl class="counts">
{_count("Words", "words", counts.words)}
{_count("Changed", "changed", counts.changed, share)}
{_count("Uncertain", "uncertain", counts.uncertain)}
{_count("Not recognised", "unknown", counts.unknown)}
</dl>
<ul class="legend" aria-label="Legend">
<li><mark class="changed" lang="vi">đã sửa</mark> changed word</li>
<li><mark class="changed uncertain" lang="vi">chưa chắc</mark> uncertain: restored with confidence below {threshold}</li>
<li><span class="unknown">Xyz</span> not recognised, left as written</li>
<li class="hint">Hover or focus (Tab) a marked word for the original and the alternatives.</li>
</ul>
<div class="controls">
<label><input type="checkbox" id="only-uncertain"> Show only uncertain highlights</label>
<button type="button" id="prev-uncertain" aria-keyshortcuts="p">&#8592; Previous uncertain <kbd>p</kbd></button>
<button type="button" id="next-uncertain" aria-keyshortcuts="n">Next uncertain <kbd>n</kbd> &#8594;</button>
<span id="nav-status" role="status" aria-live="polite"></span>
</div>
</header>
<main>
<h2 class="visually-hidden" lang="en">Restored text</h2>
<div id="doc" class="doc">{body}</div>
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_review(restorer, text: str, path, *, title: str, low_confidence: float = 0.6) -> Path:
    """Restore `text` with `restorer` and write its review page to `path` (UTF-8).

    The page is written to a temporary file in the same directory and moved over
    `path` only when complete, so an error never leaves a half-written page.
    """
    page = render_review(restorer.explain(text), title=title, low_confidence=low_confidence)
    target = Path(os.fspath(path))
    with atomic_output(target) as out:
        out.write(page.encode("utf-8"))
    return target
