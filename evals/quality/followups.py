"""How well the advisor tells a follow-up from a new question (the decision in advisor/followup.py).

    ADVISOR_EMBEDDER=minilm python -m evals.quality.followups --split dev

Cases: the gold conversations (follow-ups, references back, switches; small talk is left out),
plus every single in-scope question of the split asked right after the first turn of a
conversation on another topic (a switch), plus every out-of-scope question asked the same way
(merging must not make it look in scope). For each case the question is retrieved alone and with
the previous query in front; the script prints how many follow-ups are merged, how many switches
and out-of-scope questions are (wrongly) merged, and how often the passage the decision retrieves
first lies in an expected section.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from advisor import Advisor
from advisor.answer import Passage
from advisor.followup import merged_query, merges, read_cues
from evals.quality.gold import SPLITS, GoldItem, load_gold


@dataclass
class Case:
    kind: str  # followup | switch | out-of-scope
    previous: str
    item: GoldItem


def cases(items: list[GoldItem]) -> list[Case]:
    conversations = [i for i in items if len(i.turns) == 2 and not i.chat]
    out: list[Case] = []
    for item in conversations:
        kind = "out-of-scope" if item.refuse else "switch" if item.kind == "switch" else "followup"
        out.append(Case(kind, item.turns[0], item))
    singles = [i for i in items if len(i.turns) == 1 and not i.chat]
    for n, item in enumerate(singles):
        others = [c.turns[0] for c in conversations if c.topic != item.topic]
        out.append(Case("out-of-scope" if item.refuse else "switch", others[n % len(others)], item))
    return out


def first_is_expected(passages: list[Passage], item: GoldItem) -> bool:
    if not passages:
        return False
    top = passages[0]
    return any(top.source == e.source and top.section.split(" > ")[0] == e.section for e in item.expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=SPLITS, default="dev")
    args = parser.parse_args(argv)
    advisor = Advisor.from_settings()
    advisor.ensure_index()
    k, name = advisor.settings.top_k, advisor.settings.collection
    merged_counts = {"followup": [0, 0], "switch": [0, 0], "out-of-scope": [0, 0]}
    right = scored = 0
    for case in cases(load_gold(split=args.split)):
        question = case.item.question
        alone = advisor.retriever.retrieve(question, name, k)
        merged = advisor.retriever.retrieve(merged_query(case.previous, question), name, k)
        merge = merges(read_cues(question), alone.best_similarity, merged.best_similarity)
        merged_counts[case.kind][0] += merge
        merged_counts[case.kind][1] += 1
        if case.item.expected:
            scored += 1
            right += first_is_expected((merged if merge else alone).passages, case.item)
    for kind, (n, total) in merged_counts.items():
        print(f"{kind:13} merged {n}/{total}")
    print(f"first passage in an expected section: {right}/{scored}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
