"""Checks for the hand-written knowledge base in knowledge/*.md.

These tests prove that:
  * every concrete fact listed in tests/data/seed_facts.yaml appears in the knowledge base;
  * no knowledge document copies a run of 10+ consecutive words from a seed article;
  * every document has well-formed front matter, an H1 and per-section source comments;
  * no web clutter from the scraped seed pages leaked into the documents.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests import seed_fingerprints as seed_ngrams

REPO_ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
FACTS_FILE = REPO_ROOT / "tests" / "data" / "seed_facts.yaml"

SEED_FILES = seed_ngrams.SEED_FILES
words = seed_ngrams.words  # the one tokeniser both sides of the comparison use

NGRAM = 10

# Web clutter actually present in the scraped seed pages (navigation, ads,
# placeholders, image credits, chatbot prompts, sign-up boxes) plus the
# off-topic "related frameworks" link list appended to seed 004.
CLUTTER = [
    "Product Title",
    "Product Details",
    "Recommended Products",
    "Related Searches",
    "Related Innovation Frameworks",
    "You May Also Like",
    "Promoted By",
    "Zergnet",
    "Getty Images",
    "Jupiterimages",
    "Photos.com",
    "Try free",
    "multiple AIs",
    "Would you like me to explore",
    "subscribe",
    "Never Miss a Post",
    "Thanks for submitting",
    "Twitter Icon",
    "top of page",
    "bottom of page",
    "Updated: Jul",
    "Submit Your Work",
    "Discount Stores",
    "maker community",
    "Check It Out",
    "Scroll to Top",
    "About The Author",
    "View Profile",
    "Read Next",
    "cookie",
    "FourWeekMBA",
    "Bell Labs",
    "Jugaad",
    "IDEO",
    "Christensen",
    "Diffusion of Innovation",
    "Barbell Strategy",
    "Innovation Funnel",
    "Design Thinking",
    "Procter & Gamble",
]

FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
SOURCES_COMMENT_RE = re.compile(r"^<!--\s*sources:\s*(.+?)\s*-->$")


def knowledge_files() -> list[Path]:
    files = sorted(KNOWLEDGE_DIR.glob("*.md"))
    assert files, f"no knowledge documents found in {KNOWLEDGE_DIR}"
    return files


def split_front_matter(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER_RE.match(text)
    if not match:
        raise AssertionError("file does not start with a '---' YAML front matter block")
    meta = yaml.safe_load(match.group(1))
    if not isinstance(meta, dict):
        raise AssertionError("front matter is not a YAML mapping")
    return meta, text[match.end() :]


def normalised_kb_text() -> str:
    parts = [p.read_text(encoding="utf-8") for p in knowledge_files()]
    text = "\n".join(parts).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text)


def norm_phrase(phrase: str) -> str:
    phrase = phrase.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", phrase).strip()


# --------------------------------------------------------------------------- #
# Fact coverage
# --------------------------------------------------------------------------- #


def load_facts() -> dict:
    assert FACTS_FILE.is_file(), f"missing {FACTS_FILE}"
    data = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "seed_facts.yaml must be a mapping of source id -> items"
    return data


def test_seed_facts_file_is_well_formed():
    data = load_facts()
    assert set(data) == set(SEED_FILES), (
        f"seed_facts.yaml must have exactly the keys {sorted(SEED_FILES)}, got {sorted(data)}"
    )
    problems = []
    for sid, items in data.items():
        if not isinstance(items, list) or not items:
            problems.append(f"{sid}: must be a non-empty list")
            continue
        labels = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict) or set(item) != {"label", "any_of"}:
                problems.append(f"{sid}[{i}]: needs exactly 'label' and 'any_of'")
                continue
            label = item["label"]
            if not isinstance(label, str) or not label.strip():
                problems.append(f"{sid}[{i}]: empty label")
            elif label in labels:
                problems.append(f"{sid}: duplicate label {label!r}")
            labels.add(label)
            phrasings = item["any_of"]
            if (
                not isinstance(phrasings, list)
                or not phrasings
                or not all(isinstance(p, str) and p.strip() for p in phrasings)
            ):
                problems.append(f"{sid}[{i}] {label!r}: any_of must be a non-empty list of strings")
    assert not problems, "\n".join(problems)


def test_every_seed_fact_is_in_the_knowledge_base():
    data = load_facts()
    kb = normalised_kb_text()
    missing = []
    total = 0
    for sid, items in sorted(data.items()):
        for item in items:
            total += 1
            if not any(norm_phrase(p) in kb for p in item["any_of"]):
                missing.append(f"{sid}: {item['label']} (looked for {item['any_of']})")
    assert total > 0
    assert not missing, f"{len(missing)} of {total} seed facts missing from knowledge/*.md:\n" + "\n".join(
        missing
    )


# --------------------------------------------------------------------------- #
# No copying from the seeds
# --------------------------------------------------------------------------- #


def seed_fingerprints() -> dict[str, str]:
    """{fingerprint: seed id} of the seeds' 10-word runs, from the committed file (see its module)."""
    committed = seed_ngrams.load()
    if SEEDS_DIR.is_dir():
        assert seed_ngrams.from_seeds(SEEDS_DIR) == committed, (
            f"{seed_ngrams.FINGERPRINTS} is stale; run: python -m tests.seed_fingerprints {SEEDS_DIR}"
        )
    return committed


def test_the_fingerprints_catch_a_copied_run():
    """A run taken from a seed is found; the same words reordered are not."""
    prints = seed_fingerprints()
    sid, name = "s004", SEED_FILES["s004"]
    # The first ten words of seed 004's opening sentence.
    copied = tuple(words("Strategic alliances occur when two or more businesses work together"))
    assert sid in set(prints.values()) and len(copied) == NGRAM
    assert seed_ngrams.fingerprint(copied) in prints, f"{name}: a known 10-word run is not fingerprinted"
    assert seed_ngrams.fingerprint(tuple(reversed(copied))) not in prints


def test_no_ten_word_run_copied_from_a_seed():
    fingerprints = seed_fingerprints()
    offences = []
    for doc in knowledge_files():
        tokens = words(doc.read_text(encoding="utf-8"))
        shared = [
            (i, fingerprints[seed_ngrams.fingerprint(tuple(tokens[i : i + NGRAM]))])
            for i in range(len(tokens) - NGRAM + 1)
            if seed_ngrams.fingerprint(tuple(tokens[i : i + NGRAM])) in fingerprints
        ]
        # merge overlapping windows into maximal copied runs for readable output
        run_start = None
        run_sid = None
        prev = None
        for i, sid in [*shared, (None, None)]:
            if run_start is not None and (i is None or i != prev + 1):
                run = " ".join(tokens[run_start : prev + NGRAM])
                offences.append(f"{doc.name} (matches {run_sid}): {run!r}")
                run_start = None
            if i is not None and run_start is None:
                run_start, run_sid = i, sid
            prev = i
    assert not offences, "runs of 10+ words copied from seeds:\n" + "\n".join(offences)


# --------------------------------------------------------------------------- #
# Structure
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("doc", knowledge_files(), ids=lambda p: p.name)
def test_front_matter_headings_and_section_sources(doc: Path):
    text = doc.read_text(encoding="utf-8")
    meta, body = split_front_matter(text)
    problems = []

    for key in ("title", "topic", "summary"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.append(f"front matter '{key}' missing or empty")

    sources = meta.get("sources")
    declared: set[str] = set()
    if not isinstance(sources, list) or not sources:
        problems.append("front matter 'sources' must be a non-empty list")
    else:
        for src in sources:
            if not isinstance(src, dict) or not all(
                isinstance(src.get(k), str) and src[k].strip() for k in ("id", "file", "title")
            ):
                problems.append(f"source entry {src!r} needs non-empty id, file and title")
                continue
            if src["id"] not in SEED_FILES:
                problems.append(f"unknown source id {src['id']!r}")
            elif SEED_FILES[src["id"]] != src["file"]:
                problems.append(
                    f"source {src['id']} should point to {SEED_FILES[src['id']]}, not {src['file']}"
                )
            if src["id"] in declared:
                problems.append(f"source id {src['id']} declared twice")
            declared.add(src["id"])

    lines = body.split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    if not first.startswith("# "):
        problems.append(f"first line after front matter must be an H1, got {first!r}")
    elif isinstance(meta.get("title"), str) and first[2:].strip() != meta["title"].strip():
        problems.append(f"H1 {first[2:]!r} does not match title {meta['title']!r}")
    if sum(1 for ln in lines if ln.startswith("# ")) != 1:
        problems.append("document must have exactly one H1")

    cited: set[str] = set()
    h2_count = 0
    for idx, line in enumerate(lines):
        if not line.startswith("## "):
            continue
        h2_count += 1
        nxt = lines[idx + 1] if idx + 1 < len(lines) else ""
        m = SOURCES_COMMENT_RE.match(nxt.strip()) if nxt == nxt.strip() else None
        if not m:
            problems.append(f"heading {line!r} not directly followed by '<!-- sources: ... -->'")
            continue
        ids = [s.strip() for s in m.group(1).split(",")]
        for sid in ids:
            if sid not in declared:
                problems.append(f"heading {line!r} cites {sid!r}, which is not in the front matter")
            cited.add(sid)
    if h2_count == 0:
        problems.append("document has no '##' sections")
    unused = declared - cited
    if unused:
        problems.append(f"front matter lists sources never cited by a section: {sorted(unused)}")

    stray = [ln for ln in lines if "<!--" in ln and not SOURCES_COMMENT_RE.match(ln)]
    if stray:
        problems.append(f"unexpected HTML comments: {stray}")

    assert not problems, f"{doc.name}:\n" + "\n".join(problems)


def test_every_seed_is_used_somewhere():
    used = set()
    for doc in knowledge_files():
        meta, _ = split_front_matter(doc.read_text(encoding="utf-8"))
        used |= {s["id"] for s in meta.get("sources") or [] if isinstance(s, dict)}
    assert used == set(SEED_FILES), f"seeds never used: {sorted(set(SEED_FILES) - used)}"


def test_no_web_clutter():
    offences = []
    for doc in knowledge_files():
        low = doc.read_text(encoding="utf-8").lower()
        for needle in CLUTTER:
            if re.search(r"(?<![a-z0-9])" + re.escape(needle.lower()) + r"(?![a-z0-9])", low):
                offences.append(f"{doc.name}: contains {needle!r}")
    assert not offences, "web clutter found:\n" + "\n".join(offences)
