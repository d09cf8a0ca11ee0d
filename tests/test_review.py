"""The HTML review page: structure and escaping without a browser, then in headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
from html.parser import HTMLParser

import pytest

import vnrestore
from vnrestore.pipeline import TokenChoice
from vnrestore.plan import ABBREVIATION, KEPT, PROTECTED, RESTORED, UNKNOWN
from vnrestore.review import choose_view, render_review, review_counts, write_review
from conftest import shared_restorer


# --- a small DOM-ish reader over html.parser ----------------------------------------
VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Element"]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]

    def by_id(self, ident: str) -> "Element":
        found = [e for e in self.iter() if e.attrs.get("id") == ident]
        assert len(found) == 1, f"expected one element with id={ident!r}, found {len(found)}"
        return found[0]


class TreeBuilder(HTMLParser):
    """Builds a tree and fails on mismatched end tags, so the test notices broken markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(page: str) -> Element:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    assert builder.doctype is not None and builder.doctype.lower() == "doctype html"
    return builder.root


def doc_marks(root: Element) -> list[Element]:
    return root.by_id("doc").find_all("mark")


def doc_words(root: Element) -> list[Element]:
    """The editable words of the page (tinted or not), in text order."""
    return [e for e in root.by_id("doc").iter() if "data-k" in e.attrs]


def page_data(root: Element) -> dict:
    block = root.by_id("review-data")
    assert block.tag == "script" and block.attrs["type"] == "application/json"
    data = json.loads(block.text())
    return {"name": data["name"], "words": [dict(zip(data["fields"], row)) for row in data["rows"]]}


def counts_shown(root: Element) -> dict[str, int]:
    shown = {}
    for name in ("words", "changed", "uncertain", "unknown"):
        dd = root.by_id(f"count-{name}")
        assert dd.text().split()[0] == dd.attrs["data-count"]
        shown[name] = int(dd.attrs["data-count"])
    return shown


# --- hand-built choices, so the tests control sources and confidences ---------------
def build(*parts: tuple) -> list[TokenChoice]:
    """TokenChoices from (input, output, kind, source[, confidence[, alternatives]])."""
    choices, pos = [], 0
    for inp, out, kind, source, *rest in parts:
        choices.append(TokenChoice(pos, pos + len(inp), kind, inp, out, source, *rest))
        pos += len(inp)
    return choices


def sp(text: str = " ") -> tuple:
    return (text, text, "newline" if text in ("\n", "\r\n") else "space", PROTECTED)


SCRIPT = "<script>alert(1)</script>"

CHOICES = build(
    ("Toi", "Tôi", "word", RESTORED, 0.88, (("Tôi", 0.88), ("Tội", 0.08), ("Tới", 0.04))),
    sp(),
    ("di", "đi", "word", RESTORED, 0.45, (("đi", 0.45), ("dì", 0.30), ("dị", 0.25))),
    sp(),
    ("hoc", "học", "word", RESTORED, 0.99995, (("học", 0.99995), ("hốc", 0.00005))),
    (".", ".", "punct", PROTECTED),
    sp("\r\n"),
    ("Tam", "Tam", "word", RESTORED, 0.5, (("Tam", 0.5), ("Tâm", 0.3), ("Tạm", 0.2))),
    sp(),
    ("được", "được", "word", KEPT),
    sp(),
    ("Google", "Google", "word", UNKNOWN),
    sp(),
    ("12/UBND", "12/UBND", "code", PROTECTED),
    sp(),
    ("a&b", "a&b", "word", UNKNOWN),
    (" \"'<>  ", " \"'<>  ", "space", PROTECTED),
    sp("\n"),
    ("\n", "\n", "newline", PROTECTED),
    (SCRIPT, SCRIPT, "punct", PROTECTED),
    sp(),
    ("x" + SCRIPT, "ý" + SCRIPT, "word", RESTORED, 0.3, (("ý" + SCRIPT, 0.3), ("<b>bold</b>", 0.2))),
)
RESTORED_TEXT = "".join(c.output for c in CHOICES)


@pytest.fixture(scope="module")
def page() -> str:
    return render_review(CHOICES, title="Kiểm tra <b>& \"tiêu đề\"</b>")


@pytest.fixture(scope="module")
def root(page) -> Element:
    return parse(page)


def test_page_is_html5_in_vietnamese_utf8(root):
    html_el = root.find_all("html")[0]
    assert html_el.attrs.get("lang") == "vi"
    metas = root.find_all("meta")
    assert any((m.attrs.get("charset") or "").lower() == "utf-8" for m in metas)
    assert root.find_all("title")[0].text() == "Kiểm tra <b>& \"tiêu đề\"</b>"
    assert root.find_all("h1")[0].text() == "Kiểm tra <b>& \"tiêu đề\"</b>"


def test_document_text_is_the_restored_text(root):
    assert root.by_id("doc").text() == RESTORED_TEXT
    assert "\r\n" in root.by_id("doc").text()  # written as &#13; so a browser keeps it too


def test_line_breaks_are_preserved_by_css(page):
    assert re.search(r"\.doc\s*\{[^}]*white-space:\s*pre-wrap", page)


def test_changed_words_are_marked_and_unchanged_ones_not(root):
    marks = doc_marks(root)
    changed = [m.text() for m in marks if "changed" in m.classes]
    assert changed == [c.output for c in CHOICES if c.output != c.input]
    assert changed == ["Tôi", "đi", "học", "ý" + SCRIPT]
    unchanged_words = {"được", "Google", "12/UBND", "a&b", "."}
    assert not unchanged_words & {m.text() for m in marks}
    for m in marks:  # only the uncertain words are in the Tab order
        assert m.attrs.get("tabindex") == ("0" if "uncertain" in m.classes else None)


def test_uncertain_words_carry_their_own_class(root):
    marks = {m.text(): m for m in doc_marks(root)}
    assert marks["đi"].classes == {"changed", "uncertain"}
    assert marks["ý" + SCRIPT].classes == {"changed", "letters", "uncertain"}  # x -> ý: a new letter
    assert marks["Tam"].classes == {"uncertain"}  # restored, but the plain form won
    assert marks["Tôi"].classes == {"changed"}    # 0.88 >= 0.6
    assert marks["học"].classes == {"changed"}


def test_low_confidence_threshold_is_a_parameter():
    strict = parse(render_review(CHOICES, title="t", low_confidence=0.9))
    uncertain = [m.text() for m in doc_marks(strict) if "uncertain" in m.classes]
    assert uncertain == ["Tôi", "đi", "Tam", "ý" + SCRIPT]
    lax = parse(render_review(CHOICES, title="t", low_confidence=0.0))
    assert not [m for m in doc_marks(lax) if "uncertain" in m.classes]
    assert counts_shown(lax)["uncertain"] == 0


def test_hover_text_has_the_original_and_the_alternatives(root):
    marks = {m.text(): m for m in doc_marks(root)}
    tip = marks["Tôi"].attrs["title"]
    assert "Original: Toi" in tip
    assert "Tôi 88.0%" in tip and "Tội 8.0%" in tip and "Tới 4.0%" in tip
    assert "Original: di" in marks["đi"].attrs["title"] and "dì 30.0%" in marks["đi"].attrs["title"]
    assert ">99.9%" in marks["học"].attrs["title"]
    assert "hốc" not in marks["học"].attrs["title"]  # too unlikely to list
    assert "Original: Tam (unchanged)" in marks["Tam"].attrs["title"]
    hostile = marks["ý" + SCRIPT].attrs["title"]
    assert "Original: x" + SCRIPT in hostile and "<b>bold</b> 20.0%" in hostile


def test_script_like_input_is_escaped(page, root):
    scripts = [s for s in root.find_all("script") if s.attrs.get("type") != "application/json"]
    assert len(scripts) == 2  # the error hook and the page script, nothing from the text
    assert not root.by_id("doc").find_all("script")
    assert not root.by_id("doc").find_all("b")
    assert not root.find_all("h1")[0].find_all("b")
    assert "alert(1)" not in "".join(s.text() for s in scripts)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT in root.by_id("doc").text()
    data = root.by_id("review-data").text()
    assert "<" not in data and "\\u003cscript>" in data  # the data block cannot be closed early
    assert page_data(root)["words"][-1]["input"] == "x" + SCRIPT


def test_script_from_the_real_restorer_is_escaped():
    choices = shared_restorer().explain('Xin chao <script>alert("x")</script> cac ban\n<img src=x onerror=alert(2)>')
    root = parse(render_review(choices, title="t"))
    assert len(root.find_all("script")) == 3  # the error hook, the data block, the page script
    assert not root.find_all("img")
    assert root.by_id("doc").text() == "".join(c.output for c in choices)


def test_summary_counts(root):
    expected = {
        "words": sum(c.kind == "word" for c in CHOICES),
        "changed": 4,
        "uncertain": 3,
        "unknown": 2,
    }
    assert expected["words"] == 8
    assert counts_shown(root) == expected
    assert review_counts(CHOICES) == review_counts(iter(CHOICES), 0.6)
    assert vars_of(review_counts(CHOICES)) == expected


def vars_of(counts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in ("words", "changed", "uncertain", "unknown")}


def test_summary_has_a_legend_and_controls(root):
    legend = root.find_all("ul", "legend")[0]
    assert {"changed"} in [m.classes for m in legend.find_all("mark")]
    assert {"changed", "uncertain"} in [m.classes for m in legend.find_all("mark")]
    checkbox = root.by_id("only-uncertain")
    assert checkbox.tag == "input" and checkbox.attrs["type"] == "checkbox"
    assert root.by_id("prev-uncertain").tag == "button"
    assert root.by_id("next-uncertain").tag == "button"


def test_empty_document():
    root = parse(render_review([], title="empty"))
    assert root.by_id("doc").text() == ""
    assert counts_shown(root) == {"words": 0, "changed": 0, "uncertain": 0, "unknown": 0}


def test_page_is_self_contained(page):
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"\b(src|href)\s*=", markup)
    assert "url(" not in page and "@import" not in page
    assert not re.search(r"\b(https?|ftp|wss?|file):", page)
    assert not re.search(r"fetch\(|XMLHttpRequest|WebSocket|import\(|sendBeacon|window\.open|\.src\b", page)
    # the one link the script makes points to a Blob made in the page, for a download
    assert re.findall(r"\bhref\b.*", "".join(scripts)) == ["href = url;"]
    assert "URL.createObjectURL(new Blob(" in page and "data:" not in "".join(scripts)


def test_inline_script_and_style_are_allowed_by_the_csp(root):
    """The Content-Security-Policy allows exactly the inline code by hash, so a change to
    the scripts or the CSS that left a stale hash would be caught here (and in Chromium)."""
    csp = next(m.attrs["content"] for m in root.find_all("meta")
               if (m.attrs.get("http-equiv") or "").lower() == "content-security-policy")
    directives = dict((d.split()[0], d.split()[1:]) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == ["'none'"]

    def digest(element: Element) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(element.text().encode()).digest()).decode() + "'"

    code = [s for s in root.find_all("script") if s.attrs.get("type") != "application/json"]
    assert sorted(digest(s) for s in code) == sorted(directives["script-src"])
    assert [digest(s) for s in root.find_all("style")] == directives["style-src"]


def test_page_prints_cleanly(page):
    assert "@media print" in page
    print_css = page[page.index("@media print"):]
    assert ".controls" in print_css.split("}")[0]  # the controls are hidden on paper


# --- the editor's data and the two views ---------------------------------------------
def test_editable_words_carry_their_data(root):
    words = doc_words(root)
    data = page_data(root)
    assert not re.search(r'[<>:"/\\|?*]', data["name"])
    assert [int(w.attrs["data-k"]) for w in words] == list(range(len(data["words"])))
    editable = [c for c in CHOICES if c.source in (RESTORED, UNKNOWN) or c.output != c.input]
    assert [w.text() for w in words] == [c.output for c in editable]
    for w, d, c in zip(words, data["words"], editable):
        assert (d["start"], d["end"], d["input"], d["output"], d["source"]) == \
            (c.start, c.end, c.input, c.output, c.source)
        assert d["alternatives"] == [[f, round(p, 4)] for f, p in c.alternatives if p >= 0.001]
    # a restored word that did not change is editable but not tinted
    plain = build(("cong", "cong", "word", RESTORED, 0.9, (("cong", 0.9), ("công", 0.1))))
    only = doc_words(parse(render_review(plain, title="t")))
    assert [(w.tag, w.attrs.get("class"), w.text()) for w in only] == [("span", None, "cong")]


def test_download_names_come_from_the_title():
    def name(title):
        return page_data(parse(render_review([], title=title)))["name"]

    assert name("van-ban.txt") == "van-ban"
    assert name("dir/sub/bao-cao.ocr.txt") == "bao-cao.ocr"
    assert name('a<b>:"c".txt') == "a_b_c_"
    assert name("") == "review" and name("...") == "review"


OCR_CHOICES = build(
    ("Nguoi", "Người", "word", RESTORED, 0.99, (("Người", 0.99), ("Ngươi", 0.01))),
    sp(),
    ("d6i", "đối", "code", RESTORED, 0.97, (("đối", 0.97), ("đổi", 0.03))),
    sp(),
    ("v&i", "với", "code", RESTORED, 0.4, (("với", 0.4), ("vái", 0.35), ("v&i", 0.25))),
    sp(),
    ("tir", "tir", "word", KEPT),
    sp(),
    ("UBND", "UBND", "word", KEPT),
    sp(),
    ("được", "được", "word", KEPT),
    sp(),
    ("HDND", "HĐND", "word", ABBREVIATION),
    sp(),
    ("x3", "xã", "code", RESTORED, 0.95, (("xã", 0.95), ("x3", 0.05))),
    sp(),
    ("nha", "nhà", "word", RESTORED, 0.9, (("nhà", 0.9), ("nha", 0.1))),
    sp("\n"),
)


def test_counts_letters_changed_and_kept_as_read():
    counts = review_counts(OCR_CHOICES)
    assert counts.letters == 3  # d6i, v&i, x3: not HĐND (đ is an accented d) nor Người/nhà
    assert counts.kept == 1     # tir; not UBND (capitals) nor được (a syllable)
    assert review_counts(CHOICES).letters == 1 and review_counts(CHOICES).kept == 0


def test_the_view_follows_the_text():
    assert choose_view(review_counts(CHOICES)) == "changes"  # 4 of 8 words changed, 1 letter change
    assert choose_view(review_counts(OCR_CHOICES)) == "focus"
    assert choose_view(review_counts([])) == "changes"
    # plain restoration of a text without diacritics: every word changed, no letter did
    plain = build(*[p for w in ("Toi", "di", "hoc") for p in
                    ((w, {"Toi": "Tôi", "di": "đi", "hoc": "học"}[w], "word", RESTORED, 0.9), sp())])
    assert review_counts(plain).letters == 0 and choose_view(review_counts(plain)) == "focus"
    # two OCR repairs in a hundred words are enough (1 %); in three hundred, or one alone, not
    def text(repairs, words):
        return build(*[("d6i", "đối", "code", RESTORED, 0.9)] * repairs,
                     *[p for _ in range(words) for p in (sp(), ("an", "an", "word", KEPT))])

    assert choose_view(review_counts(text(2, 98))) == "focus"
    assert choose_view(review_counts(text(2, 298))) == "changes"
    assert choose_view(review_counts(text(1, 10))) == "changes"


def test_focus_view_tints_what_matters():
    root = parse(render_review(OCR_CHOICES, title="ocr"))
    assert "view-focus" in root.find_all("body")[0].classes
    marks = {m.text(): m.classes for m in doc_marks(root)}
    assert marks["Người"] == {"changed"}                      # accents only: the faint tint
    assert marks["đối"] == {"changed", "letters"}
    assert marks["với"] == {"changed", "letters", "uncertain"}
    assert marks["tir"] == {"kept"}
    assert marks["HĐND"] == {"changed"}
    assert "UBND" not in marks and "được" not in marks
    tir = next(w for w in doc_words(root) if w.text() == "tir")
    assert "not a Vietnamese syllable" in tir.attrs["title"]
    assert counts_shown(root) == {"words": 9, "changed": 6, "uncertain": 1, "unknown": 0}
    assert root.by_id("count-letters").attrs["data-count"] == "3"
    assert root.by_id("count-kept").attrs["data-count"] == "1"
    legend = root.find_all("ul", "legend")[0]
    assert {"changed", "letters"} in [m.classes for m in legend.find_all("mark")]
    assert {"kept"} in [m.classes for m in legend.find_all("mark")]
    note = root.find_all("p", "view-note")[0].text()
    assert "6 of 9 words changed, 3 of them only in their accents" in note
    css = root.find_all("style")[0].text()
    faint = re.search(r"\.view-focus mark\.changed \{([^}]*)\}", css).group(1)
    assert "background: none" in faint
    # the same choices in the other view: every change tinted, no OCR counts
    changes = parse(render_review(OCR_CHOICES, title="ocr", view="changes"))
    assert "view-changes" in changes.find_all("body")[0].classes
    assert "words changed" not in changes.find_all("p", "view-note")[0].text()
    assert not [e for e in changes.iter() if e.attrs.get("id") == "count-letters"]


def test_view_must_be_known(tmp_path):
    with pytest.raises(ValueError, match="view"):
        render_review(CHOICES, title="t", view="ocr")
    with pytest.raises(ValueError, match="view"):
        write_review(FakeRestorer(), "x", tmp_path / "p.html", title="t", view="all")
    assert not (tmp_path / "p.html").exists()


def test_real_ocr_text_gets_the_focus_view():
    from vnrestore.pipeline import Options

    restorer = vnrestore.Restorer(options=Options(mode="ocr"))
    choices = restorer.explain("Nguoi dan trong x3 d6i v&i chinh quyén ciia dia phuong nim 2025.\n")
    root = parse(render_review(choices, title="t"))
    assert "view-focus" in root.find_all("body")[0].classes
    marks = {m.text(): m.classes for m in doc_marks(root)}
    assert "letters" in marks["xã"] and "letters" in marks["với"]
    assert "letters" not in marks["Người"]
    assert root.by_id("doc").text() == restorer.restore("Nguoi dan trong x3 d6i v&i chinh quyén ciia dia phuong nim 2025.\n")


class FakeRestorer:
    def __init__(self):
        self.seen = []

    def explain(self, text):
        self.seen.append(text)
        return CHOICES


def test_write_review_writes_utf8_atomically(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    fake = FakeRestorer()
    result = write_review(fake, "Toi di hoc", target, title="Kiểm tra")
    assert fake.seen == ["Toi di hoc"]
    assert result == target
    assert target.read_bytes() == render_review(CHOICES, title="Kiểm tra").encode("utf-8")
    assert os.listdir(tmp_path) == ["page.html"]  # no temporary file left behind
    write_review(fake, "x", str(target), title="again")  # a str path works too
    assert "<title>again</title>" in target.read_text(encoding="utf-8")


def test_write_review_leaves_the_old_page_when_it_fails(tmp_path):
    class Broken:
        def explain(self, text):
            raise RuntimeError("boom")

    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_review(Broken(), "x", target, title="t")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["page.html"]


# --- in a real browser ---------------------------------------------------------------
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome",
                                               "google-chrome-stable"))), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no chromium, chromium-browser or google-chrome executable on PATH "
           "(install one, e.g. `apt-get install -y chromium`, to run the browser tests)")

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars"]
BROWSER_TIMEOUT = 20  # seconds per run; a run normally takes about one

PLAIN = ("Cong hoa xa hoi chu nghia Viet Nam\n"
         "Doc lap - Tu do - Hanh phuc\n"
         "\n"
         "Uy ban nhan dan xa de nghi cac ho gia dinh nop ho so truoc ngay 15/4.\n")


def browse(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(os.listdir(tmp_path))}"
    profile.mkdir()
    try:
        return subprocess.run(
            [BROWSER, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=BROWSER_TIMEOUT, check=True, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{BROWSER} did not finish within {BROWSER_TIMEOUT} s")


def console_errors(stderr: str) -> list[str]:
    """Script errors and CSP refusals that Chromium logged with --enable-logging=stderr."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and re.search(r"Uncaught|Error|Refused|violates|Content Security Policy", line)]


@needs_browser
def test_review_page_in_headless_chromium(tmp_path):
    restorer = shared_restorer()
    path = write_review(restorer, PLAIN, tmp_path / "review.html", title="Kiểm tra")
    restored = restorer.restore(PLAIN)
    expected = review_counts(restorer.explain(PLAIN))

    run = browse(tmp_path, path.as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    root = parse("<!DOCTYPE html>" + run.stdout if not run.stdout.lstrip().lower().startswith("<!doctype")
                 else run.stdout)
    body = root.find_all("body")[0]
    assert "data-script-errors" not in body.attrs, body.attrs["data-script-errors"]
    assert body.attrs.get("data-review-ready") == "1", "the page script did not run to its end"
    assert console_errors(run.stderr) == []

    doc = root.by_id("doc")
    assert doc.text() == restored
    for word in ("Cộng hòa", "Việt Nam", "Độc lập", "Hạnh phúc", "hồ sơ"):
        assert word in doc.text()
    changed = [m for m in doc.find_all("mark") if "changed" in m.classes]
    assert len(changed) == expected.changed > 10
    assert all("Original:" in m.attrs["title"] for m in changed)
    assert {name: int(root.by_id(f"count-{name}").text().split()[0])
            for name in ("words", "changed", "uncertain", "unknown")} == vars_of(expected)
    if expected.uncertain == 0:
        assert root.by_id("nav-status").text() == "No uncertain words"
        assert "disabled" in root.by_id("next-uncertain").attrs

    shot = tmp_path / "review.png"
    browse(tmp_path, path.as_uri(), "--window-size=1000,700", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1000, 700)
    assert len(data) > 15_000, "the screenshot looks blank"


@needs_browser
def test_navigation_and_filter_in_headless_chromium(tmp_path):
    """Press n, n, p and tick the checkbox in the real page; a probe script (allowed by
    dropping the page's CSP, which only this test does) records what happened."""
    page = render_review(CHOICES, title="Kiểm tra")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page)
    probe = """<script>
    (function () {
      var log = [];
      function key(k) { document.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true})); }
      function note() {
        log.push(document.activeElement.textContent + "|" + document.getElementById("nav-status").textContent);
      }
      key("n"); note(); key("n"); note(); key("n"); note(); key("n"); note(); key("p"); note();
      document.getElementById("prev-uncertain").click(); note();
      var box = document.getElementById("only-uncertain");
      box.click();
      log.push(document.body.classList.contains("only-uncertain") ? "filtered" : "unfiltered");
      log.push(getComputedStyle(document.querySelector("#doc mark.changed:not(.uncertain)")).backgroundColor);
      log.push(getComputedStyle(document.querySelector("#doc mark.uncertain")).backgroundColor);
      document.body.setAttribute("data-probe", log.join(" ;; "));
    })();
    </script>
    </body>"""
    page = page.replace("</body>", probe)
    path = tmp_path / "nav.html"
    path.write_text(page, encoding="utf-8")

    run = browse(tmp_path, path.as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    root = parse(run.stdout if run.stdout.lstrip().lower().startswith("<!doctype") else "<!DOCTYPE html>" + run.stdout)
    body = root.find_all("body")[0]
    assert "data-script-errors" not in body.attrs, body.attrs["data-script-errors"]
    assert console_errors(run.stderr) == []
    log = body.attrs["data-probe"].split(" ;; ")
    hostile = "ý" + SCRIPT
    assert log[:6] == [
        "đi|Uncertain word 1 of 3",
        "Tam|Uncertain word 2 of 3",
        f"{hostile}|Uncertain word 3 of 3",
        "đi|Uncertain word 1 of 3",  # wraps around
        f"{hostile}|Uncertain word 3 of 3",
        "Tam|Uncertain word 2 of 3",
    ]
    assert log[6] == "filtered"
    assert log[7] in ("rgba(0, 0, 0, 0)", "transparent")  # plain changes lose their colour
    assert log[8] not in ("rgba(0, 0, 0, 0)", "transparent")  # uncertain ones keep it


def test_cli_review_writes_a_page(tmp_path):
    from vnrestore.cli import main

    source = tmp_path / "van-ban.txt"
    source.write_text("Cong hoa xa hoi chu nghia Viet Nam\n", encoding="utf-8")
    page = tmp_path / "page.html"
    assert main(["review", str(source), "-o", str(page)]) == 0
    html_text = page.read_text(encoding="utf-8")
    assert ">Cộng</mark>" in html_text and ">Việt</mark>" in html_text and "van-ban.txt" in html_text
    assert main(["review", str(tmp_path / "missing.txt"), "-o", str(page)]) == 1
    # few words changed in an accented text: every change is tinted; --mode ocr: the focus view
    source.write_text("Cộng hòa xã hội chủ nghĩa Việt Nam, Doc lập\n", encoding="utf-8")
    assert main(["review", str(source), "-o", str(page)]) == 0
    assert '<body class="view-changes">' in page.read_text(encoding="utf-8")
    assert main(["review", str(source), "--mode", "ocr", "-o", str(page)]) == 0
    assert '<body class="view-focus">' in page.read_text(encoding="utf-8")


# --- driving the page like a user: Chrome DevTools Protocol over a pipe -------------
class DevTools:
    """Chromium with --remote-debugging-pipe: JSON commands on fd 3, answers and events on
    fd 4, each message ended by a NUL byte.  Only the standard library is needed, and the
    key presses are real input events (Tab moves the focus as in a desktop browser)."""

    KEYS = {"Tab": ("Tab", 9, ""), "Enter": ("Enter", 13, "\r"), "Escape": ("Escape", 27, ""),
            " ": ("Space", 32, " "), "ArrowDown": ("ArrowDown", 40, ""), "ArrowUp": ("ArrowUp", 38, "")}

    def __init__(self, tmp_path, width: int = 1000, height: int = 700):
        profile = tmp_path / f"cdp-profile-{len(os.listdir(tmp_path))}"
        profile.mkdir()
        self.log = open(tmp_path / f"{profile.name}.log", "w+", encoding="utf-8")
        to_chrome, self._to = os.pipe()
        self._from, from_chrome = os.pipe()

        def fds_3_and_4():  # runs in the child: the pipe ends become its fds 3 and 4
            a, b = os.dup(to_chrome), os.dup(from_chrome)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [BROWSER, *BROWSER_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds_3_and_4, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self.log)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buf, self._id, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.page(f"{domain}.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._from], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                pytest.fail(f"{BROWSER} did not answer within {timeout} s")
            chunk = os.read(self._from, 1 << 16)
            if not chunk:
                pytest.fail(f"{BROWSER} closed the DevTools pipe")
            self._buf += chunk
        message, _, self._buf = self._buf.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(BROWSER_TIMEOUT)
            if reply.get("id") == self._id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]
            self.events.append(reply)

    def page(self, method: str, **params):
        return self.call(method, self.session, **params)

    def wait_for(self, method: str, test=lambda params: True) -> dict:
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while True:
            for event in self.events:
                if event.get("method") == method and test(event["params"]):
                    self.events.remove(event)
                    return event["params"]
            if time.monotonic() > deadline:
                pytest.fail(f"no {method} event within {BROWSER_TIMEOUT} s")
            self.events.append(self._read(BROWSER_TIMEOUT))

    def open(self, url: str) -> None:
        self.page("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str, gesture: bool = False):
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True, userGesture=gesture)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def press(self, key: str) -> None:
        code, vk, text = self.KEYS.get(key) or (("Digit" if key.isdigit() else "Key") + key.upper(),
                                                ord(key.upper()), key)
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
        if text:
            down["text"] = down["unmodifiedText"] = text
        self.page("Input.dispatchKeyEvent", **down)
        self.page("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk,
                  nativeVirtualKeyCode=vk)

    def click(self, selector: str) -> None:
        box = self.js(f"(function () {{ var r = document.querySelector({json.dumps(selector)})"
                      ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def download(self, button: str, folder) -> bytes:
        """Click a download button and return the bytes of the file the browser saved."""
        folder.mkdir(exist_ok=True)
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder), eventsEnabled=True)
        self.click(button)
        begun = self.wait_for("Browser.downloadWillBegin")
        self.wait_for("Browser.downloadProgress",
                      lambda p: p["guid"] == begun["guid"] and p["state"] in ("completed", "canceled"))
        self.last_download_name = begun["suggestedFilename"]
        return (folder / begun["suggestedFilename"]).read_bytes()

    def problems(self) -> list[str]:
        """Script exceptions, console errors and CSP refusals seen so far."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
            elif event.get("method") == "Runtime.consoleAPICalled" and params["type"] == "error":
                found.append(str(params["args"]))
        return found

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=BROWSER_TIMEOUT)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to)
            os.close(self._from)
            self.log.close()


@pytest.fixture
def devtools(tmp_path):
    browser = DevTools(tmp_path)
    yield browser
    browser.close()


def active(devtools: DevTools) -> str:
    """The focused element: 'doc:TEXT' for a word, 'chooser:TEXT' for a choice, else its id."""
    return devtools.js("""(function () {
      var a = document.activeElement;
      if (document.getElementById("doc").contains(a)) { return "doc:" + a.textContent; }
      if (document.getElementById("chooser").contains(a)) {
        return "chooser:" + (a.querySelector(".form") ? a.querySelector(".form").textContent : a.id);
      }
      return a.id || a.tagName;
    })()""")




@needs_browser
def test_keyboard_edits_and_downloads_in_headless_chromium(tmp_path, devtools):
    """With the page's own CSP: Tab reaches only the uncertain words, Enter/Space open a
    word's choices, arrows and digits pick, Escape closes, a click and typing work too;
    then both downloads are read back from the download folder."""
    path = tmp_path / "kiem-tra.html"
    path.write_text(render_review(CHOICES, title="kiem-tra.txt"), encoding="utf-8")
    devtools.open(path.as_uri())
    assert devtools.js("document.body.getAttribute('data-review-ready')") == "1"

    # Tab from the top: the controls, then only the three uncertain words, then around again
    stops = []
    for _ in range(14):
        devtools.press("Tab")
        stops.append(active(devtools))
    hostile = "ý" + SCRIPT
    words_reached = [s for s in stops if s.startswith("doc:")]
    assert words_reached[:3] == ["doc:đi", "doc:Tam", f"doc:{hostile}"]
    assert set(words_reached) == {"doc:đi", "doc:Tam", f"doc:{hostile}"}
    assert "download-text" in stops and "download-decisions" in stops

    # đi: Enter opens its choices on the model's pick; ArrowDown then Enter takes "dì"
    devtools.js("document.activeElement.blur()")
    devtools.press("n")
    assert active(devtools) == "doc:đi"
    devtools.press("Enter")
    assert devtools.js("document.getElementById('chooser').hidden") is False
    assert active(devtools) == "chooser:đi"
    assert devtools.js("document.querySelector('#doc [data-k=\"1\"]').getAttribute('aria-expanded')") == "true"
    devtools.press("ArrowDown")
    assert active(devtools) == "chooser:dì"
    devtools.press("Enter")
    assert devtools.js("document.getElementById('chooser').hidden") is True
    assert active(devtools) == "doc:dì"  # the focus goes back to the word

    # Tam: n, Space, then the digit 2 picks the second choice
    devtools.press("n")
    assert active(devtools) == "doc:Tam"
    devtools.press(" ")
    devtools.press("2")
    assert active(devtools) == "doc:Tâm"

    # the hostile word: back to its original with a digit (choices: model, <b>bold</b>, original)
    devtools.press("n")
    devtools.press("Enter")
    assert devtools.js("Array.prototype.map.call(document.querySelectorAll('#chooser-options .form'),"
                       " function (e) { return e.textContent; })") == [hostile, "<b>bold</b>", "x" + SCRIPT]
    devtools.press("3")
    assert active(devtools) == "doc:x" + SCRIPT

    # Escape closes without a change
    devtools.press("n")
    devtools.press("Enter")
    devtools.press("ArrowDown")
    devtools.press("Escape")
    assert devtools.js("document.getElementById('chooser').hidden") is True
    assert active(devtools) == "doc:dì"

    # a word outside the Tab order, by mouse, then a typed form
    devtools.click('#doc [data-k="0"]')
    assert active(devtools) == "chooser:Tôi"
    devtools.js("document.getElementById('chooser-custom').focus()")
    devtools.page("Input.insertText", text="Tui")
    devtools.press("Enter")
    assert active(devtools) == "doc:Tui"
    assert devtools.js("document.getElementById('edit-status').textContent") == "4 reviewed, 4 edited"

    expected = (RESTORED_TEXT.replace("Tôi", "Tui", 1).replace("đi", "dì", 1).replace("Tam", "Tâm", 1)
                .replace(hostile, "x" + SCRIPT))
    text = devtools.download("#download-text", tmp_path / "downloads")
    assert devtools.last_download_name == "kiem-tra.corrected.txt"
    assert text == expected.encode("utf-8")
    assert b"\r\n" in text  # line ends as in the input

    lines = devtools.download("#download-decisions", tmp_path / "downloads").decode("utf-8").splitlines()
    assert devtools.last_download_name == "kiem-tra.decisions.jsonl"
    records = [json.loads(line) for line in lines]
    restored = [c for c in CHOICES if c.source == RESTORED]
    assert [(r["start"], r["end"], r["input"], r["output"]) for r in records] == \
        [(c.start, c.end, c.input, c.output) for c in restored]
    for r in records:
        assert RESTORED_TEXT[r["start"]:r["end"]] == r["output"]  # offsets from the start of the input
        assert {"start", "end", "input", "output", "source", "confidence", "final", "reviewed"} <= set(r)
        assert "alternatives" not in r
    by_input = {r["input"]: r for r in records}
    assert by_input["di"]["final"] == "dì" and by_input["di"]["reviewed"] is True
    assert by_input["di"]["confidence"] == 0.45 and by_input["di"]["source"] == RESTORED
    assert by_input["Toi"]["final"] == "Tui"
    assert by_input["x" + SCRIPT]["final"] == "x" + SCRIPT
    assert by_input["hoc"]["final"] == "học" and by_input["hoc"]["reviewed"] is False
    assert devtools.problems() == []


@needs_browser
def test_devtools_sees_csp_refusals(tmp_path, devtools):
    """The check above cannot pass by not looking: an injected inline script and style
    attribute, not in the CSP, are refused and reported."""
    page = render_review(CHOICES, title="t").replace(
        "</body>", "<script>document.title = 'ran';</script><p style='color:red'>x</p></body>")
    path = tmp_path / "injected.html"
    path.write_text(page, encoding="utf-8")
    devtools.open(path.as_uri())
    assert devtools.js("document.title") == "t"
    problems = devtools.problems()
    assert any("script-src" in p for p in problems) and any("style-src" in p for p in problems)


OCR_PAGE = ("Thuc hién Cong van s6 6217/SNV ngay 15/8/2025 ciia So ndi vu thanh phd vé thyuc hién\n"
            "cong tac dan van chinh quyén 6 thang cubi ndm 2025 trén dia ban x3, cu thé nhu sau:\n"
            "1. Cép uy Pang, chinh quyén dia phuong ciing cac ban, nganh, doan thé da tap trung\n"
            "chi dao trién khai nhiém vu cong tac dan van, to chtrc hoc tap, nghién ctru, quan\n"
            "triét, trién khai céac Nghi quyét, chi thi, két luan ctia dang phéap luat cia Nha nudc.\n")


@needs_browser
def test_ocr_page_looks_right_in_headless_chromium(tmp_path):
    """An OCR'd text in the focus view: accents-only changes lose their tint, letter
    repairs and uncertain words keep theirs; a word's choices open; a screenshot
    (VNRESTORE_REVIEW_SCREENSHOT=docs/review-screenshot.png writes it there)."""
    devtools = DevTools(tmp_path, 1000, 740)
    try:
        _ocr_page_checks(tmp_path, devtools)
    finally:
        devtools.close()


def _ocr_page_checks(tmp_path, devtools):
    from vnrestore.pipeline import Options

    restorer = vnrestore.Restorer(options=Options(mode="ocr"))
    path = write_review(restorer, OCR_PAGE, tmp_path / "ocr.html", title="bao-cao.ocr.txt")
    devtools.open(path.as_uri())
    assert devtools.js("document.body.className") == "view-focus"
    style = """(function (sel) { var e = document.querySelector(sel);
      return e ? getComputedStyle(e).backgroundColor : null; })"""
    clear = ("rgba(0, 0, 0, 0)", "transparent")
    assert devtools.js(style + "('#doc mark.changed:not(.letters):not(.uncertain)')") in clear
    assert devtools.js(style + "('#doc mark.letters:not(.uncertain)')") not in clear
    first_uncertain = devtools.js(style + "('#doc mark.uncertain')")
    assert first_uncertain is None or first_uncertain not in clear
    assert devtools.js("document.getElementById('doc').textContent") == restorer.restore(OCR_PAGE)

    devtools.click("#doc mark.letters")
    assert devtools.js("document.getElementById('chooser').hidden") is False
    devtools.press("Escape")
    # the state of docs/review-screenshot.png: the first uncertain word edited with the
    # keyboard (its second choice), the next one's choices open
    devtools.js("document.activeElement.blur()")
    devtools.press("n")
    first = devtools.js("document.activeElement.textContent")
    devtools.press("Enter")
    devtools.press("ArrowDown")
    devtools.press("Enter")
    assert devtools.js("document.activeElement.textContent") != first
    assert "edited" in devtools.js("document.activeElement.className")
    devtools.press("n")
    devtools.press("Enter")
    assert devtools.js("document.getElementById('chooser').hidden") is False
    devtools.page("Input.dispatchMouseEvent", type="mouseMoved", x=5, y=735)  # no hover outline
    shot = devtools.page("Page.captureScreenshot", format="png")["data"]
    data = base64.b64decode(shot)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1000, 740)
    assert len(data) > 15_000, "the screenshot looks blank"
    target = os.environ.get("VNRESTORE_REVIEW_SCREENSHOT")  # docs/review-screenshot.png is made so
    if target:
        with open(target, "wb") as out:
            out.write(data)
    assert devtools.problems() == []
