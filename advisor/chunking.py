"""Heading-aware chunking sized for MiniLM's 256 word-piece window.

A document is cut into sections at its headings; each section's paragraphs and bullet lists are
packed into chunks of at most ``max_chars`` (about 220 word pieces). A block that is too long on its
own is split at sentence ends. Every chunk carries its document title, section heading path and
source, and its id is a hash of exactly those plus its text: the same content gets the same id on
every run, so re-ingesting unchanged files does no embedding work.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from advisor.documents import Document

CHUNKER_VERSION = "2"
MAX_CHARS = 900
MIN_CHARS = 120

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
_SOURCES = re.compile(r"^<!--\s*sources:\s*(.*?)\s*-->$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


@dataclass
class Chunk:
    id: str
    text: str
    metadata: dict

    @property
    def embed_text(self) -> str:
        """What gets embedded: the text with its title and section as context."""
        section = self.metadata.get("section") or ""
        header = self.metadata["title"] + (f" — {section}" if section else "")
        return f"{header}\n{self.text}"


@dataclass
class _Section:
    path: list[str]
    origin: str
    blocks: list[str]


def chunk_document(doc: Document, max_chars: int = MAX_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in _merge_small(_flatten(_sections(doc))):
        heading = " > ".join(section.path)
        for text in _pack(section.blocks, max_chars):
            meta = {
                "title": doc.title,
                "section": heading,
                "source": doc.source,
                "path": str(doc.path),
                "file_hash": doc.file_hash,
                "topic": str(doc.meta.get("topic", "")),
                "origin": section.origin,
                "chunk_index": len(chunks),
            }
            chunks.append(Chunk(id=chunk_id(doc.source, heading, text), text=text, metadata=meta))
    return chunks


def chunk_id(source: str, heading: str, text: str) -> str:
    digest = hashlib.sha256(f"{CHUNKER_VERSION}\x00{source}\x00{heading}\x00{text}".encode())
    return digest.hexdigest()[:24]


def _sections(doc: Document) -> list[_Section]:
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    current = _Section(path=[], origin="", blocks=[])
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            current.blocks.append("\n".join(paragraph).strip())
            paragraph.clear()

    for line in doc.text.split("\n"):
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        if heading:
            flush_paragraph()
            sections.append(current)
            level, name = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and name == doc.title:
                stack = []
                current = _Section(path=[], origin="", blocks=[])
                continue
            stack = [(lvl, n) for lvl, n in stack if lvl < level] + [(level, name)]
            inherited = current.origin if len(stack) > 1 else ""
            current = _Section(path=[n for _, n in stack], origin=inherited, blocks=[])
            continue
        marker = _SOURCES.match(stripped)
        if marker:
            current.origin = ",".join(s.strip() for s in marker.group(1).split(",") if s.strip())
            continue
        if not stripped:
            flush_paragraph()
        elif stripped.startswith(("- ", "* ", "+ ")) or re.match(r"^\d+[.)]\s", stripped):
            # Each bullet is its own block so packing never cuts one in half.
            flush_paragraph()
            current.blocks.append(stripped)
        else:
            paragraph.append(stripped)
    flush_paragraph()
    sections.append(current)
    return sections


def _flatten(sections: list[_Section]) -> list[_Section]:
    """Fold subsections into their top-level section as labelled paragraphs.

    Packing then fills chunks up to the size limit across subsection boundaries, so a list of short
    subsections ("seven signs ...") stays together instead of scattering over tiny chunks. Each
    label travels glued to its subsection's first block, so a chunk never ends on a bare label.
    """
    groups: list[list[_Section]] = []
    for section in sections:
        key = section.path[0] if section.path else None
        if groups and key is not None and groups[-1][0].path[:1] == [key]:
            groups[-1].append(section)
        else:
            groups.append([section])
    out: list[_Section] = []
    for group in groups:
        head = group[0]
        blocks = list(head.blocks)
        for child in group[1:]:
            label = f"**{child.path[-1]}**"
            blocks.extend([f"{label}\n{child.blocks[0]}", *child.blocks[1:]] if child.blocks else [label])
        origins = dict.fromkeys(o for s in group for o in s.origin.split(",") if o)
        out.append(_Section(path=head.path[:1], origin=",".join(origins), blocks=blocks))
    return [s for s in out if s.blocks]


def _merge_small(sections: list[_Section]) -> list[_Section]:
    """Fold a section too small to stand alone (a lead-in line, a lone table header) into the next one.
    A small sub-section that closes its chapter joins the previous section of that chapter instead of
    leaking into the next chapter; a merged section cites the sources of both parts."""
    out: list[_Section] = []
    carry: _Section | None = None
    for index, section in enumerate(sections):
        carried = carry.blocks if carry else []
        blocks = carried + section.blocks
        origin = _union(carry.origin if carry else "", section.origin)
        carry = None
        following = sections[index + 1] if index + 1 < len(sections) else None
        if sum(len(b) for b in blocks) < MIN_CHARS:
            titled = carried + ([f"**{section.path[-1]}**"] if section.path else []) + section.blocks
            if (
                out
                and section.path
                and out[-1].path[:1] == section.path[:1]
                and (following is None or following.path[:1] != section.path[:1])
            ):
                out[-1].blocks.extend(titled)
                out[-1].origin = _union(out[-1].origin, origin)
                continue
            if following is not None:
                carry = _Section(path=section.path, origin=origin, blocks=titled)
                continue
        out.append(_Section(path=section.path, origin=origin, blocks=blocks))
    return out


def _union(first: str, second: str) -> str:
    names = [n for n in (first.split(",") + second.split(",")) if n]
    return ",".join(dict.fromkeys(names))


def _pack(blocks: list[str], max_chars: int) -> list[str]:
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_split_long(block, max_chars) if len(block) > max_chars else [block])
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        joiner = "\n" if current.startswith(("- ", "* ")) and piece.startswith(("- ", "* ")) else "\n\n"
        if current and len(current) + len(joiner) + len(piece) > max_chars:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}" if current else piece
    if current:
        # A short tail reads better joined to its predecessor when there is room.
        if chunks and len(current) < MIN_CHARS and len(chunks[-1]) + len(current) + 2 <= max_chars * 1.2:
            chunks[-1] = f"{chunks[-1]}\n\n{current}"
        else:
            chunks.append(current)
    return chunks


def _split_long(block: str, max_chars: int) -> list[str]:
    out: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(block):
        while len(sentence) > max_chars:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out
