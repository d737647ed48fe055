"""Checklists for the moments people ask one for (knowledge/_domain/checklists.yaml).

"What should we have in place before we sign?" and "a quick list for our first 90 days" name a
moment, not a list of the documents: the answer draws its lines from several lists (the charter, the
no-fault exit clause, the Architect stage...), each line an item with its own citation. A request is
matched to a checklist by the words it shares with the checklist's names and by meaning; when none
fits clearly, :mod:`advisor.compose` builds the checklist from the lists behind the retrieved sections.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from advisor.domain import GENERIC_WORDS, Checklist, Domain
from advisor.text import content_words

Similarity = Callable[[list[str]], Sequence[float]]

MATCH = 0.55  # score a request needs (best cosine to a name, plus shared words) to get a checklist
MARGIN = 0.03  # ...and its lead over the next checklist
WORD = 0.05  # per distinctive word the request shares with the checklist's title and names
WORD_CAP = 0.15
# Words of a request that say it wants a checklist, not which one.
_REQUEST_WORDS = (
    frozenset(
        "checklist check list quick give need put place thing things alliance allianc partnership partner "
        "strategic compani firm new our".split()
    )
    | GENERIC_WORDS
)


def asked_checklist(domain: Domain, text: str, similarity: Similarity | None) -> Checklist | None:
    """The checklist whose moment the request names, or None when none fits clearly."""
    if not domain.checklists or similarity is None:
        return None
    asked = set(content_words(text)) - _REQUEST_WORDS
    texts: list[str] = []
    owner: list[int] = []
    for n, checklist in enumerate(domain.checklists):
        for name in checklist.texts():
            texts.append(name)
            owner.append(n)
    best = [0.0] * len(domain.checklists)
    for n, cosine in zip(owner, similarity(texts), strict=True):
        best[n] = max(best[n], float(cosine))
    scores = []
    for n, checklist in enumerate(domain.checklists):
        named = {w for name in checklist.texts() for w in content_words(name)} - _REQUEST_WORDS
        scores.append(best[n] + min(WORD_CAP, WORD * len(asked & named)))
    ranked = sorted(range(len(scores)), key=lambda n: -scores[n])
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if scores[ranked[0]] < MATCH or scores[ranked[0]] - second < MARGIN:
        return None
    return domain.checklists[ranked[0]]


def checklist_lines(domain: Domain, checklist: Checklist) -> list[tuple[str, str, tuple]]:
    """(name, text, cites) per line: the item's advice where it has some, else its summary."""
    lines = []
    for item_id in checklist.items:
        item = domain.items.get(item_id)
        if item is not None:
            lines.append((item.name, item.advice or item.summary, item.cites))
    return lines
