"""Loading source files into clean Markdown-like text, with one clear error per bad file.

Supported: Markdown (with optional YAML front matter), plain text, HTML and PDF. Web text is cleaned
of the clutter scrapers bring along (navigation, ads, placeholders, subscribe/cookie prompts, link
lists under "Related ..." headings). Plain-text headings are recognised and turned into ``##`` lines
so the chunker can keep sections together.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import DocumentError

SUPPORTED = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


@dataclass
class Document:
    path: Path
    source: str  # display path, e.g. "knowledge/alliance-types.md"
    title: str
    text: str  # Markdown: '#'-headings, paragraphs, '- ' bullets
    file_hash: str
    meta: dict = field(default_factory=dict)


def file_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def read_checked(path: Path, max_bytes: int) -> bytes:
    """Read a file after the checks every loader shares (size, emptiness)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(
            str(path),
            f"file is {size / 1e6:.3g} MB, over the {max_bytes / 1e6:.3g} MB limit "
            "(raise ADVISOR_MAX_FILE_MB or split the file)",
        )
    if size == 0:
        raise DocumentError(str(path), "file is empty")
    return path.read_bytes()


def decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError(str(path), "binary content, not text (is the file extension right?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            str(path), f"not valid UTF-8 text (byte {exc.start}); re-save the file as UTF-8"
        ) from None


def unsupported_file_type(path: Path) -> str:
    return f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED))}"


def load(path: Path, source: str, max_bytes: int) -> Document:
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(str(path), unsupported_file_type(path))
    data = read_checked(path, max_bytes)
    meta: dict = {}
    if kind == "pdf":
        text = pdf_text(path, data)
    else:
        raw = decode_text(path, data)
        if kind == "markdown":
            meta, raw = split_front_matter(path, raw)
            text = clean_markdown(raw)
        elif kind == "html":
            text = clean_text(html_to_markdown(raw))
        else:
            text = clean_text(raw)
    body = re.sub(r"^#+ .*$", "", re.sub(r"<!--.*?-->", "", text, flags=re.S), flags=re.M)
    if not re.search(r"\w{3,}", body):
        raise DocumentError(str(path), "no readable text after cleaning (empty or only boilerplate)")
    title = str(meta.get("title") or first_heading(text) or path.stem.replace("-", " ").replace("_", " "))
    return Document(path=path, source=source, title=title, text=text, file_hash=file_sha(data), meta=meta)


# --- Markdown ----------------------------------------------------------------------------------------

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def split_front_matter(path: Path, raw: str) -> tuple[dict, str]:
    match = _FRONT.match(raw)
    if not match:
        return {}, raw
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(str(path), f"front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise DocumentError(str(path), "front matter must be a YAML mapping")
    return meta, raw[match.end() :]


def clean_markdown(raw: str) -> str:
    """Authored Markdown needs little cleaning; keep ``<!-- sources: -->`` markers for the chunker."""
    text = re.sub(r"<!--(?!\s*sources:).*?-->", "", raw, flags=re.S)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def first_heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else None


# --- HTML --------------------------------------------------------------------------------------------

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "template",
)


def html_to_markdown(raw: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(role=["navigation", "banner", "contentinfo", "complementary"]):
        tag.decompose()
    lines: list[str] = []
    body = soup.find("article") or soup.find("main") or soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "table", "blockquote", "pre"]):
        if el.find_parent(["li", "td", "blockquote"]) and el.name in ("p",):
            continue
        if el.name == "table":
            if not el.find_parent("table"):  # a nested table is read as its cell's text
                lines.extend(["", *_table_rows(el), ""])
            continue
        if el.find_parent("table"):
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name in ("h1", "h2", "h3", "h4"):
            lines.append("\n" + "#" * int(el.name[1]) + " " + text + "\n")
        elif el.name == "li":
            lines.append("- " + text)
        else:
            lines.append("\n" + text + "\n")
    return "\n".join(lines)


def _table_rows(table: Any) -> list[str]:
    """One bullet per data row, each cell labelled with its column header ("Type: X; Example: Y")."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = tr.find_all(["th", "td"], recursive=False)
        texts = [" ".join(c.get_text(" ", strip=True).split()) for c in cells]
        if any(texts):
            rows.append((texts, all(c.name == "th" for c in cells) or tr.find_parent("thead") is not None))
    header: list[str] = []
    if rows and rows[0][1]:
        header = rows.pop(0)[0]
    return [_labelled(header, cells) for cells, _ in rows]


def _labelled(header: list[str], cells: list[str]) -> str:
    if len(header) != len(cells):
        return "- " + "; ".join(c for c in cells if c)
    return "- " + "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c)


# --- PDF ---------------------------------------------------------------------------------------------


def pdf_text(path: Path, data: bytes) -> str:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.startswith(b"%PDF"):
        raise DocumentError(str(path), "not a PDF file (missing %PDF header); the file may be corrupt")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(str(path), "PDF is encrypted; save an unencrypted copy and ingest that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(str(path), f"corrupt PDF ({exc.__class__.__name__}); re-export it") from None
    return clean_text("\n\n".join(pages))


# --- web clutter -------------------------------------------------------------------------------------

# A heading-like line that starts the tail of a web page: everything from it on is clutter.
_TAIL = re.compile(
    r"^(related searches|related [a-z ]{3,40}|read next\b|you may also like|recommended (products|for you|"
    r"reading|posts)\b|comments$|about the author|promoted by|never miss a post|would you like me to|"
    r"\$\d+$|product title$|scroll to top|bottom of page|share this)",
    re.I,
)
# Lines that are clutter wherever they stand.
_DROP = re.compile(
    r"(^ask questions like this|^try (it )?free\b|^top of page$|^bottom of page$|^updated: |"
    r"\(image: |getty images|subscribe|cookie|^thanks for submitting|icon$|^view profile$|"
    r"^product (title|details)|^sign (up|in)\b|^log ?in$|^advertisement$|^click here|"
    r"all rights reserved|privacy policy|^submit your work|^check it out$|^share (on|this)\b|^follow us)",
    re.I,
)
_HEADING_MAX = 90


def clean_text(raw: str) -> str:
    """Strip web clutter from scraped text and mark its headings with ``##``."""
    lines = [ln.rstrip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = _cut_tail(lines)
    kept: list[str] = []
    previous = None
    for line in lines:
        stripped = line.strip()
        if stripped and (_DROP.search(stripped) or stripped == previous):
            continue
        if stripped:
            previous = stripped
        kept.append(line)
    return _mark_headings(unglue_tables(kept))


def _cut_tail(lines: list[str]) -> list[str]:
    total = sum(len(ln) for ln in lines) or 1
    seen = 0
    for index, line in enumerate(lines):
        if seen / total > 0.4 and _TAIL.match(line.strip()):
            return lines[:index]
        seen += len(line)
    return lines


# A table scraped without its cell breaks: a header of 2-6 capitalised words run together
# ("TypeDescriptionExample"), then one line per row with its cells glued the same way.
_GLUED_HEADER = re.compile(r"^(?:[A-Z][a-z]+){2,6}$")
_GLUE = re.compile(r"(?<=[a-z)])(?=[A-Z])")
_NAME_HEADS = frozenset("Mc Mac".split())


def unglue_tables(lines: list[str]) -> list[str]:
    """Rewrite glued table rows as "- Header: cell; Header: cell" bullets; leave other lines alone."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        header = re.findall(r"[A-Z][a-z]+", lines[i].strip()) if _GLUED_HEADER.match(lines[i].strip()) else []
        rows: list[str] = []
        split = 0
        j = i + 1
        while header and j < len(lines) and lines[j].strip():
            cells = split_cells(lines[j].strip(), len(header))
            rows.append(_labelled(header, cells) if cells else lines[j])
            split += cells is not None
            j += 1
        if split >= 2:  # one lucky row is not a table (a heading "YouTube" over a paragraph)
            out.extend(rows)
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def split_cells(row: str, count: int) -> list[str] | None:
    """The row cut into exactly ``count`` cells at its glue points, or None when no cut fits.

    Glue points are where a lower-case letter or ")" runs into a capital. When there are more than
    needed, the cheapest are chosen: a cut inside a camel-case name (iPhone, OpenAI, YouTube,
    McKinsey, SpaceX) costs more than one after a long lower-case word ("audiencesSpotify").
    """
    points = [m.start() for m in _GLUE.finditer(row)]
    if len(points) < count - 1:
        return None
    best = min(
        itertools.combinations(points, count - 1),
        key=lambda cuts: sum(_glue_cost(row, c) for c in cuts),
        default=None,
    )
    if best is None or sum(_glue_cost(row, c) for c in best) >= _NOT_A_CUT:
        return None
    bounds = [0, *best, len(row)]
    cells = [row[a:b].strip() for a, b in itertools.pairwise(bounds)]
    return cells if all(cells) else None


_NOT_A_CUT = 100


def _glue_cost(row: str, at: int) -> int:
    left = re.search(r"[A-Za-z]+$", row[:at])
    right = re.match(r"[A-Za-z]+", row[at:])
    before = left.group(0) if left else ""
    after = right.group(0) if right else ""
    if row[at - 1] == ")":
        return 1
    if len(before) <= 1 or before in _NAME_HEADS:  # iPhone, eBay, McKinsey
        return _NOT_A_CUT
    if after.isupper():  # OpenAI, SpaceX
        return 10
    if before[0].isupper() and len(before) <= 5:  # YouTube, PayPal, FedEx, SoftBank
        return 5
    return 1


_BULLET = re.compile(r"^\s*(?:[•*\-–]|\d+[.)])\s+")


def _is_heading(line: str, following: str) -> bool:
    s = line.strip()
    if not s or len(s) > _HEADING_MAX or s.startswith("#") or _BULLET.match(line):
        return False
    if s[-1] in '.!?,;:"”)' or not (s[0].isupper() or s[0].isdigit()):
        return False
    if len(s.split()) > 12:
        return False
    return len(following.strip()) > len(s)


def _mark_headings(lines: list[str]) -> str:
    out: list[str] = []
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    next_of = dict(itertools.pairwise(nonblank))
    for i, line in enumerate(lines):
        following = lines[next_of[i]] if i in next_of else ""
        if _is_heading(line, following):
            out.extend(["", "## " + line.strip(), ""])
        elif _BULLET.match(line):
            out.append("- " + _BULLET.sub("", line).strip())
        else:
            out.append(line.strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"
