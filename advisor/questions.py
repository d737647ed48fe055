"""What each section answers: example questions, and a nearest-question index over them.

People ask in their own words ("our partner keeps missing deadlines, what now?"), which often share
little with the text that answers them. Questions written for each section
(``knowledge/_domain/questions.yaml``) are closer to real questions than the text is, so the
retriever also searches them: nearest questions -> their sections -> those sections' chunks, one more
ranked list for rank fusion, and the keyword index counts a section's questions as words of its chunks
(doc2query). Sections with no written questions (a user's own documents) take no part: questions
made from their heading and lead sentence lowered dev hit@5 from 0.882 to 0.842, and heading templates
alone left it unchanged (MRR 0.723 -> 0.686), as the notes had found. Heading questions still teach
the scope classifier what in-scope questions look like.

    written = load_section_questions(knowledge_dir)         # {(doc file name, heading): [question]}
    index = QuestionIndex(vectors, section_of, sections, chunk_ids)
    index.ranked_chunk_ids(query_vector, 20)                 # chunk ids, best section first
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from advisor.yamlfile import read_yaml

QUESTIONS_FILE = Path("_domain") / "questions.yaml"
SCOPE_FILE = Path("_domain") / "scope.yaml"
# their texts are embedded with the artefacts (Domain.meaning_texts)
SITUATIONS_FILE = Path("_domain") / "situations.yaml"
CHECKLISTS_FILE = Path("_domain") / "checklists.yaml"
LISTS_FILE = Path("_domain") / "lists.yaml"  # the conditions' summaries train the condition model
SECTIONS = 4  # how many best-matching sections contribute chunks to the ranked list


SectionKey = tuple[str, str]  # (document file name, top-level heading)


def section_key(source: str, section: str) -> SectionKey:
    """The key of a chunk's section: its file name and the first part of its heading path."""
    return source.replace("\\", "/").rsplit("/", 1)[-1], section.split(" > ")[0].strip()


def load_section_questions(knowledge_dir: Path) -> dict[SectionKey, list[str]]:
    """The written questions per section ({} when the knowledge dir has none)."""
    raw = _read_yaml(knowledge_dir / QUESTIONS_FILE)
    out: dict[SectionKey, list[str]] = {}
    for entry in raw.get("sections") or []:
        key = (str(entry["doc"]), str(entry["section"]).strip())
        out.setdefault(key, []).extend(str(q) for q in entry.get("questions") or [])
    return out


def load_scope_examples(knowledge_dir: Path) -> tuple[list[str], list[str]]:
    """(out-of-scope requests, small-talk lines) from scope.yaml; empty lists when absent."""
    raw = _read_yaml(knowledge_dir / SCOPE_FILE)
    out = [str(item["text"]) for item in raw.get("out_of_scope") or []]
    chat = [str(item["text"]) for item in raw.get("chat") or []]
    return out, chat


def domain_fingerprint(knowledge_dir: Path, salt: str = "") -> str:
    """A short hash of the domain files: a build's artefacts are rebuilt when it changes."""
    digest = hashlib.sha256(salt.encode())
    for name in (QUESTIONS_FILE, SCOPE_FILE, SITUATIONS_FILE, CHECKLISTS_FILE, LISTS_FILE):
        path = knowledge_dir / name
        digest.update(str(name).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:12]


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        return {}
    data = read_yaml(path)
    return data if isinstance(data, dict) else {}


def heading_questions(heading: str) -> list[str]:
    """Questions made from a heading alone: the shapes people ask in, for scope training."""
    h = heading.strip().rstrip("?:.").strip()
    if not h:
        return []
    low = h[0].lower() + h[1:]
    if h.lower().startswith(("how ", "why ", "what ", "when ", "which ", "who ", "where ")):
        return [f"{h}?", f"can you explain {low}?"]
    return [f"What about {low}?", f"Tell me about {low}", f"how does {low} work?", h]


@dataclass
class QuestionIndex:
    """Question vectors and the section each belongs to; sections list their chunks in order."""

    vectors: np.ndarray  # (n, d), unit length
    section_of: np.ndarray  # (n,) index into sections
    sections: list[SectionKey]
    chunk_ids: list[list[str]]  # per section, in reading order
    texts: list[str] = field(default_factory=list)  # the questions, in vector order

    def chunk_questions(self) -> dict[str, str]:
        """Each chunk's section questions as one text, for the keyword index (doc2query)."""
        per_section: dict[int, list[str]] = {}
        for text, index in zip(self.texts, self.section_of.tolist(), strict=True):
            per_section.setdefault(index, []).append(text)
        return {
            cid: " ".join(questions)
            for index, questions in per_section.items()
            for cid in self.chunk_ids[index]
        }

    def nearest_sections(self, vector: np.ndarray, k: int = SECTIONS) -> list[tuple[int, float]]:
        """The k sections whose best question is closest to the query, with that cosine."""
        if not len(self.vectors):
            return []
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        best = np.full(len(self.sections), -2.0, dtype=np.float32)
        np.maximum.at(best, self.section_of, sims)
        order = np.argsort(-best, kind="stable")[:k]
        return [(int(i), float(best[i])) for i in order if best[i] > -2.0]

    def ranked_chunk_ids(self, vector: np.ndarray, limit: int, prefer: list[str] | None = None) -> list[str]:
        """Chunks of the nearest sections, best section first. Within a section, chunks that appear
        in ``prefer`` (e.g. the dense ranking) come first in that order, then the rest in reading
        order."""
        rank = {cid: i for i, cid in enumerate(prefer or [])}
        out: list[str] = []
        for index, _ in self.nearest_sections(vector):
            ids = self.chunk_ids[index]
            out.extend(sorted(ids, key=lambda cid: (rank.get(cid, len(rank)), ids.index(cid))))
            if len(out) >= limit:
                break
        return out[:limit]
