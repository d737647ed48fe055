"""Loaders: Markdown (front matter, source markers), plain text (headings), HTML (chrome removed) and
PDF (text extracted), plus the one-line error each kind of bad file gets.

``make_pdf`` builds small, valid, text-bearing PDFs by hand (no extra packages); other test modules
import it from here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from advisor.chunking import chunk_document
from advisor.documents import load, split_cells
from advisor.errors import DocumentError

MB = 1_000_000


def _pdf_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], password: str | None = None) -> bytes:
    """A minimal PDF with one Helvetica text line per string; encrypted (RC4) when given a password."""
    count = len(pages)
    font_id, pages_id = 3 + 2 * count, 2
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    for index, lines in enumerate(pages):
        content_id = 4 + 2 * index
        objects.append(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        ops = "BT /F1 11 Tf 14 TL 72 740 Td " + " ".join(f"({_pdf_escape(ln)}) Tj T*" for ln in lines) + " ET"
        data = ops.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    pdf = bytes(out)
    if password is None:
        return pdf
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _load(path: Path, max_bytes: int = 20 * MB):
    return load(path, f"docs/{path.name}", max_bytes)


# --- Markdown -----------------------------------------------------------------------------------------


MARKDOWN = """---
title: Choosing a partner
topic: partners
---
# Choosing a partner

Picking the right partner matters more than drafting the perfect contract, say the sources.

## Strategic fit
<!-- sources: s000, s003 -->

Strategic fit means the partners' goals point the same way and their capabilities complement
each other, so that the alliance creates value neither partner could reach alone.

### Checking the fit

Run a joint workshop on goals and measure both sides the same way before signing anything at all,
then write the shared goals into the alliance charter so nobody can forget them.

## Cultural fit
<!-- sources: s002 -->

Cultural fit covers decision speed, risk appetite and how each side handles bad news in practice.

<!-- an editor's note that must not reach any chunk -->
"""


def test_markdown_front_matter_and_source_markers_become_metadata(tmp_path):
    path = tmp_path / "choosing.md"
    path.write_text(MARKDOWN)
    doc = _load(path)
    assert doc.title == "Choosing a partner"
    assert doc.meta["topic"] == "partners"
    assert "title:" not in doc.text
    chunks = chunk_document(doc)
    by_section = {c.metadata["section"]: c for c in chunks}
    assert sorted(by_section) == ["Cultural fit", "Strategic fit"]
    assert by_section["Strategic fit"].metadata["origin"] == "s000,s003"
    # A sub-section travels with its chapter (and its sources), labelled.
    assert "**Checking the fit**" in by_section["Strategic fit"].text
    assert by_section["Cultural fit"].metadata["origin"] == "s002"
    assert all(c.metadata["topic"] == "partners" for c in chunks)
    joined = "\n".join(c.text for c in chunks)
    assert "sources:" not in joined and "editor's note" not in joined and "<!--" not in joined


def test_markdown_without_front_matter_takes_title_from_h1(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text(
        "# Alliance basics\n\nAn alliance is a cooperative agreement between independent firms.\n"
    )
    assert _load(path).title == "Alliance basics"


def test_markdown_with_broken_front_matter_names_the_problem(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\n# Body\n\nSome body text for the document here.\n")
    with pytest.raises(DocumentError, match="front matter is not valid YAML") as err:
        _load(path)
    assert err.value.path == str(path)


# --- plain text -----------------------------------------------------------------------------------------


TEXT = """Why alliances fail

Most alliances that fail do so because the partners never agreed what success looks like.

Misaligned metrics
If Partner A wants volume and Partner B wants margin, conflict is inevitable within a year or two.

Cultural clashes
Different decision speeds and risk appetites slowly erode trust between the two teams involved.

  • Executive sponsors who intervene early
  • Clear governance for disagreements
"""


def test_text_headings_are_detected_and_bullets_normalised(tmp_path):
    path = tmp_path / "fail.txt"
    path.write_text(TEXT)
    doc = _load(path)
    assert "## Misaligned metrics" in doc.text
    assert "## Cultural clashes" in doc.text
    assert "- Executive sponsors who intervene early" in doc.text
    # A sentence is never mistaken for a heading.
    assert "## Most alliances" not in doc.text
    sections = {c.metadata["section"] for c in chunk_document(doc)}
    assert any(s.endswith("Cultural clashes") for s in sections)


# --- HTML -------------------------------------------------------------------------------------------------


HTML = """<!doctype html><html><head><title>t</title><script>var tracking = "TRACKER-CODE";</script>
<style>.x{color:red}</style></head><body>
<header><a href="/">Site Banner Home</a></header>
<nav><ul><li>Menu Item Pricing</li><li>Menu Item Login</li></ul></nav>
<article>
<div role="navigation"><p>Role Nav Links</p></div>
<h1>Alliance governance</h1>
<p>A joint steering committee with members from both partners meets every quarter to steer the alliance.</p>
<h2>Decision rights</h2>
<p>Decision rights say who decides what, and how a disagreement escalates when the teams cannot agree.</p>
<ul><li>Operational issues go to the alliance managers</li>
<li>Strategic issues go to the steering committee</li></ul>
<div role="contentinfo"><p>Role footer info</p></div>
</article>
<aside>Sidebar advert text</aside>
<footer>Footer copyright notice</footer>
<script>console.log("LATE-SCRIPT")</script>
</body></html>
"""


def test_html_drops_chrome_and_keeps_headings(tmp_path):
    path = tmp_path / "gov.html"
    path.write_text(HTML)
    doc = _load(path)
    assert doc.title == "Alliance governance"
    assert "## Decision rights" in doc.text
    assert "- Strategic issues go to the steering committee" in doc.text
    assert "joint steering committee" in doc.text
    for junk in (
        "TRACKER-CODE",
        "LATE-SCRIPT",
        "Site Banner",
        "Menu Item",
        "Sidebar advert",
        "Footer copyright",
        "color:red",
        "Role Nav",
        "Role footer",
    ):
        assert junk not in doc.text, junk


# --- PDF --------------------------------------------------------------------------------------------------


def test_pdf_text_is_extracted(tmp_path):
    path = tmp_path / "gov.pdf"
    path.write_bytes(
        make_pdf(
            [
                [
                    "Alliance Governance",
                    "",
                    "A joint steering committee meets every quarter (at least) to review it.",
                ],
                [
                    "Exit Terms",
                    "",
                    "Partners agree exit ramps and termination clauses before they sign anything.",
                ],
            ]
        )
    )
    doc = _load(path)
    assert "joint steering committee meets every quarter (at least)" in doc.text
    assert "termination clauses" in doc.text
    assert "## Exit Terms" in doc.text
    assert doc.file_hash
    assert chunk_document(doc)


# --- bad files: one clear error naming the file and the reason ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "file is empty"),
        ("blank.md", b"\n\n   \n", "no readable text"),
        ("binary.md", bytes(range(256)) * 8, "binary content"),
        ("latin.txt", "Caf\u00e9 au lait is what the partners drank.\n".encode("latin-1"), "not valid UTF-8"),
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF", "corrupt PDF"),
        ("fake.pdf", b"This is plain text pretending to be a PDF document.", "missing %PDF header"),
        ("notes.docx", b"PK\x03\x04 some zip", "unsupported file type '.docx'"),
        ("only-clutter.txt", b"Subscribe\nTry free\nView Profile\n", "no readable text"),
    ],
)
def test_bad_files_raise_document_error_naming_file_and_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError) as err:
        _load(path)
    assert reason in err.value.reason
    assert err.value.path == str(path)
    assert str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


def test_encrypted_pdf_is_refused_with_advice(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(make_pdf([["Confidential alliance terms that nobody may read."]], password="s3cret"))
    with pytest.raises(DocumentError, match="PDF is encrypted; save an unencrypted copy"):
        _load(path)


def test_file_over_the_size_limit_says_how_big_and_what_to_do(tmp_path):
    path = tmp_path / "big.md"
    path.write_text("# Big\n\n" + "alliance partner value " * 200)
    with pytest.raises(DocumentError) as err:
        _load(path, max_bytes=1000)
    reason = err.value.reason
    assert "over the" in reason and "ADVISOR_MAX_FILE_MB" in reason
    # Both sizes must be readable numbers, not "0.0 MB over the 0 MB limit".
    assert "0.00461 MB" in reason and "0.001 MB" in reason, reason


# --- tables ---------------------------------------------------------------------------------------------

DATA = Path(__file__).parent / "data"
ROWS = [
    "- Model: Distribution; Goal: Reach new customers through a partner's stores; "
    "Example: PayPal checkout offered at eBay sellers",
    "- Model: Co-development; Goal: Build a product neither could build alone; "
    "Example: OpenAI models running on Microsoft's cloud",
    "- Model: Content deal; Goal: Bring a partner's media to your users; "
    "Example: YouTube videos inside the iPhone app (launch edition)",
]


def test_glued_table_rows_in_plain_text_become_labelled_cells():
    text = _load(DATA / "glued_table.txt").text
    lines = text.splitlines()
    for row in ROWS:
        assert row in lines
    assert "ModelGoalExample" not in text
    # A row that cannot be cut into three cells is left as it was.
    assert "Advice onlyThis row has too few glue points to split." in lines


def test_a_camel_case_heading_over_a_paragraph_is_not_a_table():
    text = _load(DATA / "glued_table.txt").text
    assert "## YouTube" in text
    assert (
        "YouTube hosts videos from creators and pays them through AdSense, its advertising programme." in text
    )


def test_a_chunk_keeps_a_table_row_whole():
    chunks = chunk_document(_load(DATA / "glued_table.txt"))
    assert any(ROWS[1][2:] in chunk.text for chunk in chunks)


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        (
            "R&D ConsortiaJoint development of standardsPharmaceutical firms",
            ["R&D Consortia", "Joint development of standards", "Pharmaceutical firms"],
        ),
        (
            "Strategic InvestmentEquity stakesGoogle's investment in SpaceX",
            ["Strategic Investment", "Equity stakes", "Google's investment in SpaceX"],
        ),
        (
            "Co-brandingShared audiences (music)Spotify and Starbucks",
            ["Co-branding", "Shared audiences (music)", "Spotify and Starbucks"],
        ),
        ("ConsultingAdvice from McKinsey", None),  # McKinsey is a name, not a cell break
        ("Plain words with no glue", None),
    ],
)
def test_split_cells_cuts_at_glue_points_but_not_inside_names(row, cells):
    assert split_cells(row, 3) == cells


def test_html_table_rows_keep_their_cells_apart():
    text = _load(DATA / "table.html").text
    lines = text.splitlines()
    assert ROWS[0].replace(" offered", "") in lines
    assert ROWS[1].replace(" running", "") in lines
    assert "- Licensing; Use a partner's patents for a fee" in lines  # no header row: cells only
    assert "Each model asks for a different level of commitment from both firms." in lines
