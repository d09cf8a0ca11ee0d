"""hOCR and ALTO: words restored in place, everything else byte for byte (files made by
Tesseract itself, see tests/data/README.md)."""

from __future__ import annotations

from dataclasses import replace
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vnrestore import InputError, ocrxml
from vnrestore.cli import main
from conftest import shared_restorer

DATA = Path(__file__).parent / "data"
HOCR, ALTO = DATA / "page.hocr", DATA / "page.alto.xml"
ALTO_NS = "{http://www.loc.gov/standards/alto/ns-v3#}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"


def words(root: ET.Element, fmt: str) -> list[str]:
    if fmt == "alto":
        return [s.get("CONTENT") for s in root.iter(ALTO_NS + "String")]
    return ["".join(e.itertext()) for e in root.iter(XHTML_NS + "span") if e.get("class") == "ocrx_word"]


def lines(root: ET.Element, fmt: str) -> list[str]:
    if fmt == "alto":
        return [" ".join(s.get("CONTENT") for s in line.iter(ALTO_NS + "String"))
                for line in root.iter(ALTO_NS + "TextLine")]
    return [" ".join(words(line, fmt)) for line in root.iter(XHTML_NS + "span") if line.get("class") == "ocr_line"]


def without_word_text(root: ET.Element, fmt: str) -> ET.Element:
    """The tree with every word's text blanked: what must not change."""
    for e in root.iter():
        if fmt == "alto" and e.tag == ALTO_NS + "String":
            e.set("CONTENT", "")
        if fmt == "hocr" and e.get("class") == "ocrx_word":
            e.text = ""
    return root


@pytest.mark.parametrize("path, fmt", [(HOCR, "hocr"), (ALTO, "alto")])
def test_detect(path, fmt):
    assert ocrxml.detect(path.read_bytes()) == fmt
    assert ocrxml.detect(b"<html><body><p>x</p></body></html>") is None


@pytest.mark.parametrize("path, fmt", [(HOCR, "hocr"), (ALTO, "alto")])
def test_switched_off_is_byte_identical(path, fmt):
    data = path.read_bytes()
    assert ocrxml.restore_document(data, fmt, None) == data
    # Restoration that keeps every token as it was read writes nothing either.
    def keep(texts):
        return [[replace(c, output=c.input) for c in block] for block in shared_restorer().explain_many(texts)]
    assert ocrxml.restore_document(data, fmt, keep) == data


@pytest.mark.parametrize("path, fmt", [(HOCR, "hocr"), (ALTO, "alto")])
def test_restored_only_text_changes(path, fmt):
    data = path.read_bytes()
    out = ocrxml.restore_document(data, fmt, shared_restorer().explain_many)
    assert out != data
    before, after = ET.fromstring(data), ET.fromstring(out)
    assert len(words(before, fmt)) == len(words(after, fmt))  # no box joined or split
    got = lines(after, fmt)
    assert "Ngày hôm nay chúng tôi đã họp bàn về kế hoạch" in got
    assert "Đối với việc làm của các hộ gia đình trong xã," in got  # OCR noise (D6i véi ctia)
    # Geometry, ids, attributes and structure: identical once word text is blanked.
    assert ET.tostring(without_word_text(before, fmt)) == ET.tostring(without_word_text(after, fmt))
    # Byte level: every line of the file that holds no word is unchanged.
    marker = b"CONTENT=" if fmt == "alto" else b"ocrx_word"
    old, new = data.splitlines(), out.splitlines()
    assert len(old) == len(new)
    assert [a for a in old if marker not in a] == [b for b in new if marker not in b]


def test_words_split_by_markup_and_escaping():
    # hOCR with inner markup and an entity; ALTO with a value needing escaping.
    hocr = ("<html><body><div class='ocr_page'><span class='ocr_line'>"
            "<span class='ocrx_word' title='bbox 1 2 3 4'><strong>Cong</strong></span> "
            "<span class='ocrx_word'>hoa&amp;</span></span></div></body></html>").encode()
    out = ocrxml.restore_document(hocr, "hocr", shared_restorer().explain_many)
    assert b"<strong>C\xe1\xbb\x99ng</strong>" in out
    assert ["".join(e.itertext()) for e in ET.fromstring(out).iter("span")][1:] == ["Cộng", "hòa&"]
    alto = ('<alto><Layout><Page><TextBlock><TextLine>'
            '<String CONTENT="Cong" HPOS="1"/><SP/><String HPOS=\'2\' CONTENT=\'hoa\' WC="1"/>'
            '</TextLine></TextBlock></Page></Layout></alto>').encode()
    out = ocrxml.restore_document(alto, "alto", shared_restorer().explain_many)
    assert out == alto.replace(b'"Cong"', '"Cộng"'.encode()).replace(b"'hoa'", "'hòa'".encode())


def test_not_xml_is_one_clear_error():
    with pytest.raises(InputError, match="page.hocr: not well-formed XML"):
        ocrxml.restore_document(b"<html><p>", "hocr", None, "page.hocr")


@pytest.mark.parametrize("path, fmt", [(HOCR, "hocr"), (ALTO, "alto")])
def test_cli_fix_ocr_formats(tmp_path, path, fmt, capsysbinary):
    out = tmp_path / path.name
    assert main(["fix", str(path), "-o", str(out)]) == 0  # detected from the content
    assert out.read_bytes() == ocrxml.restore_document(path.read_bytes(), fmt, shared_restorer().explain_many)
    assert main(["fix", "--format", fmt, str(path)]) == 0
    assert capsysbinary.readouterr().out == out.read_bytes()


def test_batch_restores_ocr_files_in_place(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "p.hocr").write_bytes(HOCR.read_bytes())
    (src / "notes.xml").write_bytes(b"<notes>Cong hoa</notes>\n")  # neither: restored as text
    out = tmp_path / "out"
    assert main(["fix", str(src), "--pattern", "*.*", "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert (out / "p.hocr").read_bytes() == ocrxml.restore_document(HOCR.read_bytes(), "hocr", shared_restorer().explain_many)
    assert (out / "notes.xml").read_bytes() == "<notes>Cộng hòa</notes>\n".encode()
