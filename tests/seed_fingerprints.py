"""Fingerprints of every 10-word run of the seed articles, so the no-copying check runs in any clone.

The seed articles are not part of the repository, but a check that runs only where they happen to
be is a check that silently stops. tests/data/seed_ngrams.txt holds a 48-bit BLAKE2b hash of each
10-word run instead (no seed text; a false match between two different runs is about 1 in 10^10).
Where the seeds are present the test also proves the file is current. Regenerate it with:

    python -m tests.seed_fingerprints /path/to/seeds
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

FINGERPRINTS = Path(__file__).parent / "data" / "seed_ngrams.txt"
NGRAM = 10
SEED_FILES = {
    "s000": "000_efcd527b53e33b42.txt",
    "s001": "001_060d5ae39d6dfdb1.txt",
    "s002": "002_c6e53c0cdb26dfae.txt",
    "s003": "003_37bc147c33466728.txt",
    "s004": "004_e7214047d84111b2.txt",
}


def words(text: str) -> list[str]:
    """Lowercase, drop apostrophes, turn every other non-alphanumeric char into a space."""
    text = text.lower()
    text = re.sub(r"['\u2018\u2019\u02bc]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.split()


def fingerprint(gram: tuple[str, ...]) -> str:
    return hashlib.blake2b(" ".join(gram).encode(), digest_size=6).hexdigest()


def grams(tokens: list[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def from_seeds(seeds: Path) -> dict[str, str]:
    """{fingerprint: seed id} for the seed articles in a folder."""
    out: dict[str, str] = {}
    for sid, name in SEED_FILES.items():
        text = (seeds / name).read_text(encoding="utf-8", errors="replace")
        for gram in grams(words(text)):
            out.setdefault(fingerprint(gram), sid)
    return out


def load(path: Path = FINGERPRINTS) -> dict[str, str]:
    out: dict[str, str] = {}
    sid = ""
    for line in path.read_text().splitlines():
        if line.startswith("["):
            sid = line.strip("[]")
        elif line and not line.startswith("#"):
            out.setdefault(line, sid)
    return out


def write(prints: dict[str, str], path: Path = FINGERPRINTS) -> None:
    lines = ["# BLAKE2b-48 of every 10-word run of the seed articles; see tests/seed_fingerprints.py"]
    for sid in SEED_FILES:
        lines += [f"[{sid}]", *sorted(h for h, s in prints.items() if s == sid)]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write(from_seeds(Path(sys.argv[1])))
    print(f"wrote {FINGERPRINTS}")
