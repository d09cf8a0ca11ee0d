"""The HTML review page: structure and escaping without a browser, then in headless Chromium."""

from __future__ import annotations

import base64
import functools
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
    return json.loads(block.text())


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


@functools.lru_cache(maxsize=None)
def shared_restorer() -> vnrestore.Restorer:
    return vnrestore.Restorer()


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
