"""A citer for plans built in tests: one number per distinct cited section, in order."""

from __future__ import annotations


def numbered(cites, about=()) -> str:
    seen: dict[tuple[str, str], int] = {}
    for c in cites:
        seen.setdefault((c.doc, c.section), len(seen) + 1)
    return "".join(f" [{n}]" for n in seen.values())
