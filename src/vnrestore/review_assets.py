"""The inline CSS and scripts of the review page (``review.py`` writes the page).

They live apart from the rendering code so that each reads as what it is.  The page's
Content-Security-Policy allows exactly these texts, by their SHA-256 hashes, so any
edit here changes the hashes too (``review.py`` computes them at import).

The editor script keeps the page self-contained: the words' data come from a JSON
block in the page, downloads are made in memory (Blob + object URL), nothing is
fetched and nothing is sent anywhere.
"""

from __future__ import annotations

# Records script errors in the page itself (body[data-script-errors]), so a headless
# browser's --dump-dom shows them; it runs first so it also sees errors of the main script.
ERROR_HOOK = (
    "window.addEventListener('error',function(e){var b=document.body,"
    "p=b.getAttribute('data-script-errors');"
    "b.setAttribute('data-script-errors',(p?p+' | ':'')+(e.message||'error'));});"
)

SCRIPT = r"""
(function () {
  "use strict";
  var body = document.body;
  var doc = document.getElementById("doc");
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var words = data.rows.map(function (row) {  // one record per editable word, by data-k
    var w = {};
    data.fields.forEach(function (f, i) { w[f] = row[i]; });
    return w;
  });
  var finals = words.map(function (w) { return w.output; });
  var reviewed = words.map(function () { return false; });
  var els = [], tips = [];
  Array.prototype.forEach.call(doc.querySelectorAll("[data-k]"), function (el) {
    var k = +el.getAttribute("data-k");
    els[k] = el;
    tips[k] = el.title;
    // Interactive only with the script, so the roles are given here, not in the markup.
    el.setAttribute("role", "button");
    el.setAttribute("aria-haspopup", "dialog");
    el.setAttribute("aria-expanded", "false");
    if (!el.hasAttribute("tabindex")) { el.tabIndex = -1; }  // clickable, not in the Tab order
  });
  var marks = Array.prototype.slice.call(doc.querySelectorAll(".uncertain"));
  var only = document.getElementById("only-uncertain");
  var prev = document.getElementById("prev-uncertain");
  var next = document.getElementById("next-uncertain");
  var status = document.getElementById("nav-status");
  var editStatus = document.getElementById("edit-status");
  var chooser = document.getElementById("chooser");
  var chooserTitle = document.getElementById("chooser-title");
  var list = document.getElementById("chooser-options");
  var custom = document.getElementById("chooser-custom");
  custom.addEventListener("focus", function () { custom.select(); });  // typing replaces the form
  var pos = -1, openK = -1, dirty = false;

  // -- navigation between uncertain words ------------------------------------------
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

  // -- the chooser: a word's alternatives, the model's choice and the original -------
  function percent(p) {
    if (p >= 1) { return "100%"; }
    if (p >= 0.9995) { return ">99.9%"; }
    if (p < 0.0005) { return "<0.1%"; }
    return (p * 100).toFixed(1) + "%";
  }
  function choicesOf(w) {
    var out = [], seen = new Map();
    function add(form, p, tag) {
      if (!seen.has(form)) { seen.set(form, out.length); out.push({ form: form, p: p, tags: [] }); }
      var c = out[seen.get(form)];
      if (tag && c.tags.indexOf(tag) < 0) { c.tags.push(tag); }
    }
    w.alternatives.forEach(function (a) { add(a[0], a[1], a[0] === w.output ? "model" : ""); });
    add(w.output, null, "model");
    add(w.input, null, "original");
    return out;
  }
  function span(cls, text, lang) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    if (lang) { s.lang = lang; }
    return s;
  }
  function options() { return Array.prototype.slice.call(list.querySelectorAll("button")); }
  function place(el) {
    var r = el.getBoundingClientRect();
    chooser.style.top = (r.bottom + window.scrollY + 6) + "px";
    var width = chooser.offsetWidth;
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    chooser.style.left = left + "px";
  }
  function openChooser(k) {
    closeChooser(false);
    var w = words[k], el = els[k];
    openK = k;
    chooserTitle.textContent = "Read \u201c" + w.input + "\u201d, restored \u201c" + w.output + "\u201d";
    list.textContent = "";
    choicesOf(w).forEach(function (c, i) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("aria-pressed", c.form === finals[k] ? "true" : "false");
      b.appendChild(span("num", i < 9 ? String(i + 1) : ""));
      b.appendChild(span("form", c.form, "vi"));
      c.tags.forEach(function (t) { b.appendChild(span("tag", t)); });
      b.appendChild(span("p", c.p === null ? "" : percent(c.p)));
      var label = c.form + (c.tags.length ? " (" + c.tags.join(", ") + ")" : "") +
                  (c.p === null ? "" : ", " + percent(c.p));
      b.setAttribute("aria-label", label);
      b.addEventListener("click", function () { pick(k, c.form); });
      li.appendChild(b);
      list.appendChild(li);
    });
    custom.value = finals[k];
    chooser.hidden = false;
    place(el);
    el.setAttribute("aria-expanded", "true");
    el.classList.add("open");
    var current = list.querySelector('[aria-pressed="true"]') || list.querySelector("button");
    current.focus({ preventScroll: true });
    chooser.scrollIntoView({ block: "nearest" });  // near the bottom of the window: scroll it in
  }
  function closeChooser(refocus) {
    if (openK < 0) { return; }
    var el = els[openK];
    openK = -1;
    chooser.hidden = true;
    el.setAttribute("aria-expanded", "false");
    el.classList.remove("open");
    if (refocus) { el.focus({ preventScroll: true }); }
  }
  function pick(k, form) {
    var w = words[k], el = els[k];
    finals[k] = form;
    reviewed[k] = true;
    dirty = true;
    el.textContent = form;
    el.classList.add("reviewed");
    el.classList.toggle("edited", form !== w.output);
    el.title = tips[k] + (form === w.output ? "\nReviewed: kept the model's choice" : "\nEdited to: " + form);
    var edited = 0, seen = 0;
    for (var i = 0; i < words.length; i++) {
      seen += reviewed[i];
      edited += finals[i] !== words[i].output;
    }
    editStatus.textContent = seen + " reviewed, " + edited + " edited";
    closeChooser(true);
  }

  // -- downloads, made in memory -----------------------------------------------------
  function download(name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    body.appendChild(a);
    a.click();
    body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  function decisions() {
    return words.map(function (w, k) {
      // restored or changed words, and any word the reviewer touched
      if (w.source !== "restored" && w.output === w.input && !reviewed[k]) { return ""; }
      var rec = {};
      Object.keys(w).forEach(function (key) { if (key !== "alternatives") { rec[key] = w[key]; } });
      rec.final = finals[k];
      rec.reviewed = reviewed[k];
      return JSON.stringify(rec) + "\n";
    }).join("");
  }
  document.getElementById("download-text").addEventListener("click", function () {
    // The text of #doc is the restored text with the edits in it, line ends and all.
    download(data.name + ".corrected.txt", doc.textContent, "text/plain;charset=utf-8");
    dirty = false;
  });
  document.getElementById("download-decisions").addEventListener("click", function () {
    download(data.name + ".decisions.jsonl", decisions(), "application/x-ndjson;charset=utf-8");
  });

  // -- events ------------------------------------------------------------------------
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
  function wordOf(node) {
    var el = node && node.closest ? node.closest("[data-k]") : null;
    return el && doc.contains(el) ? +el.getAttribute("data-k") : -1;
  }
  doc.addEventListener("focusin", function (e) {
    var i = marks.indexOf(e.target);
    if (i >= 0 && i !== pos) { mark(i, false); }
  });
  doc.addEventListener("click", function (e) {
    var k = wordOf(e.target);
    if (k >= 0) { openChooser(k); }
  });
  doc.addEventListener("keydown", function (e) {
    var k = wordOf(e.target);
    if (k >= 0 && (e.key === "Enter" || e.key === " ")) { openChooser(k); e.preventDefault(); }
  });
  chooser.addEventListener("keydown", function (e) {
    var buttons = options(), i = buttons.indexOf(document.activeElement);
    if (e.key === "Escape") { closeChooser(true); }
    else if (e.target === custom) {
      if (e.key !== "Enter") { return; }  // typing in the box: digits and arrows are text
      if (custom.value) { pick(openK, custom.value); }
    }
    else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      var j = i < 0 ? 0 : (i + (e.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[j].focus();
    }
    else if (e.key === "Home") { buttons[0].focus(); }
    else if (e.key === "End") { buttons[buttons.length - 1].focus(); }
    else if (/^[1-9]$/.test(e.key) && +e.key <= buttons.length) { buttons[+e.key - 1].click(); }
    else { return; }
    e.preventDefault();
    e.stopPropagation();
  });
  document.addEventListener("focusin", function (e) {
    if (openK >= 0 && !chooser.contains(e.target)) { closeChooser(false); }
  });
  document.addEventListener("mousedown", function (e) {
    if (openK >= 0 && !chooser.contains(e.target) && wordOf(e.target) < 0) { closeChooser(false); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
              (t.tagName === "INPUT" && t.type !== "checkbox") || chooser.contains(t))) { return; }
    if (e.key === "n" || e.key === "N") { step(1); e.preventDefault(); }
    else if (e.key === "p" || e.key === "P") { step(-1); e.preventDefault(); }
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
  body.setAttribute("data-review-ready", "1");
})();
"""

CSS = """
:root {
  --ink: #1b1b1b; --muted: #4a4a4a; --paper: #ffffff; --panel: #f3f4f6; --line: #c9ccd1;
  --changed-bg: #fff5c7; --changed-line: #d9c36a; --faint-line: #d8cf9f;
  --letters-bg: #ffe2b8; --letters-line: #c26a00;
  --kept-bg: #dbe8ff; --kept-line: #3a62b5;
  --uncertain-bg: #ffd3cc; --uncertain-line: #b3261e;
  --edited-bg: #d4f4dc; --edited-line: #1e7b34;
  --unknown-line: #5b5b5b; --focus: #0b57d0;
  --tip-bg: #1f2937; --tip-ink: #ffffff;
}
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }
body {
  margin: 0; font: 16px/1.5 "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
}
.summary { background: var(--panel); border-bottom: 1px solid var(--line); padding: 0.6rem 1.5rem 0.55rem; }
.summary h1 { font-size: 1.25rem; margin: 0 0 0.3rem; line-height: 1.3; }
.counts { display: flex; flex-wrap: wrap; gap: 0.2rem 1.5rem; margin: 0 0 0.35rem; padding: 0; }
.counts div { display: flex; gap: 0.4rem; align-items: baseline; }
.counts dt { color: var(--muted); }
.counts dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.2rem 1.25rem; margin: 0 0 0.4rem; padding: 0;
  color: var(--muted); font-size: 0.9rem; }
.legend mark, .legend span { color: var(--ink); }
.view-note { margin: 0 0 0.45rem; color: var(--muted); font-size: 0.9rem; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.75rem; font-size: 0.95rem; }
.controls .downloads { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.75rem; margin-left: auto; }
.controls button {
  font: inherit; color: var(--ink); background: var(--paper); border: 1px solid #767676; border-radius: 4px;
  padding: 0.2rem 0.7rem; cursor: pointer;
}
.controls button:hover:not(:disabled) { background: #e6e8eb; }
.controls button:disabled { color: #6b6b6b; cursor: default; }
.controls button:focus-visible, .controls input:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
.controls kbd { font: 0.8rem/1 "DejaVu Sans Mono", monospace; border: 1px solid #8a8a8a; border-radius: 3px;
  padding: 0.05rem 0.3rem; background: var(--panel); }
#nav-status, #edit-status { color: var(--muted); }
main { padding: 1.25rem 1.5rem 4rem; }
.doc {
  max-width: 52rem; margin: 0; white-space: pre-wrap; overflow-wrap: break-word;
  font: 1.125rem/1.75 "Noto Serif", "DejaVu Serif", "Liberation Serif", "Times New Roman", serif;
}
mark { color: inherit; background: none; border-radius: 2px; position: relative; }
.doc [data-k] { cursor: pointer; border-radius: 2px; position: relative; }
.doc [data-k]:hover { outline: 1px dashed var(--focus); outline-offset: 1px; }
mark.changed { background: var(--changed-bg); box-shadow: inset 0 -1px 0 var(--changed-line); }
.view-focus mark.changed { background: none; box-shadow: inset 0 -1px 0 var(--faint-line); }
.view-focus mark.letters { background: var(--letters-bg); box-shadow: inset 0 -2px 0 var(--letters-line); }
.view-focus mark.kept { background: var(--kept-bg); box-shadow: inset 0 -2px 0 var(--kept-line); }
mark.uncertain, .view-focus mark.uncertain {
  font-weight: 600; background: var(--uncertain-bg); box-shadow: inset 0 -2px 0 var(--uncertain-line);
}
/* after review: a green underline, and a green tint when the reviewer changed the word */
mark.reviewed, .view-focus mark.reviewed, .doc .reviewed, .view-focus .doc .reviewed {
  background: none; font-weight: inherit; box-shadow: inset 0 -2px 0 var(--edited-line); }
mark.edited, .view-focus mark.edited, .doc .edited, .view-focus .doc .edited {
  background: var(--edited-bg); box-shadow: inset 0 -2px 0 var(--edited-line); }
.unknown { text-decoration: underline dotted var(--unknown-line); text-underline-offset: 0.2em; }
.doc [data-k]:focus, .doc mark:focus { outline: 2px solid var(--focus); outline-offset: 1px; }
mark.current { outline: 2px solid var(--uncertain-line); outline-offset: 1px; }
mark.current:focus { outline-color: var(--focus); }
.doc .open { outline: 2px solid var(--focus); outline-offset: 1px; }
/* keyboard users see the hover text as a tooltip on focus (mouse users get the title) */
.doc [title]:focus::after {
  content: attr(title); position: absolute; left: 0; top: calc(100% + 4px); z-index: 10;
  white-space: pre-wrap; width: max-content; max-width: min(26rem, 80vw); background: var(--tip-bg); color: var(--tip-ink); padding: 0.35rem 0.6rem;
  border-radius: 4px; font: 0.85rem/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-weight: 400;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); pointer-events: none;
}
.only-uncertain .doc mark:not(.uncertain):not(.edited) { background: none; box-shadow: none; }
.only-uncertain .doc .unknown { text-decoration: none; }
.chooser {
  position: absolute; z-index: 40; min-width: 15rem; max-width: min(26rem, 92vw); background: var(--paper);
  border: 1px solid #767676; border-radius: 6px; box-shadow: 0 4px 18px rgba(0, 0, 0, 0.25); padding: 0.45rem;
  font-size: 0.95rem;
}
.chooser[hidden] { display: none; }
.chooser p { margin: 0.1rem 0.35rem 0.35rem; color: var(--muted); font-size: 0.85rem; }
.chooser ol { list-style: none; margin: 0; padding: 0; }
.chooser button {
  display: flex; align-items: baseline; gap: 0.55rem; width: 100%; text-align: left; font: inherit;
  color: var(--ink); background: none; border: 1px solid transparent; border-radius: 4px;
  padding: 0.2rem 0.45rem; cursor: pointer;
}
.chooser button:hover { background: var(--panel); }
.chooser button:focus { outline: 2px solid var(--focus); outline-offset: -2px; }
.chooser button[aria-pressed="true"] { background: #e8f0fe; font-weight: 700; }
.chooser .num { min-width: 1ch; color: var(--muted); font: 0.8rem/1 "DejaVu Sans Mono", monospace; }
.chooser .form { font: 1.05rem/1.4 "Noto Serif", "DejaVu Serif", "Liberation Serif", serif; }
.chooser .tag { font-size: 0.75rem; font-weight: 400; color: var(--muted); border: 1px solid var(--line);
  border-radius: 3px; padding: 0 0.3rem; }
.chooser .p { margin-left: auto; padding-left: 1rem; color: var(--muted); font-weight: 400;
  font-variant-numeric: tabular-nums; }
.chooser .chooser-hint { margin: 0.35rem 0.35rem 0.1rem; }
.chooser label { display: flex; gap: 0.5rem; align-items: center; margin: 0.35rem 0.45rem 0; color: var(--muted);
  font-size: 0.85rem; }
.chooser input { flex: 1; min-width: 0; font: 1rem/1.3 "Noto Serif", "DejaVu Serif", "Liberation Serif", serif;
  padding: 0.15rem 0.35rem; border: 1px solid #767676; border-radius: 4px; }
.chooser input:focus { outline: 2px solid var(--focus); outline-offset: 1px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media screen { .summary { position: sticky; top: 0; z-index: 20; } }
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
@media print {
  .controls, .hint, .chooser, .doc [title]:focus::after { display: none; }
  .summary { background: none; border-bottom: 1px solid #000; padding: 0 0 0.5rem; }
  main { padding: 0.75rem 0 0; }
  .doc { max-width: none; font-size: 11pt; line-height: 1.6; }
  mark, .doc [data-k] { outline: none !important; }
  mark.changed, .view-focus mark.letters, .view-focus mark.kept, .doc .edited {
    background: none; box-shadow: none; text-decoration: underline solid #000; }
  .view-focus mark.changed { text-decoration: none; }
  mark.uncertain, .view-focus mark.uncertain { background: none; box-shadow: none; text-decoration: underline wavy #000;
    text-decoration-thickness: 1px; }
  .only-uncertain .doc mark:not(.uncertain) { text-decoration: none; }
}
"""
