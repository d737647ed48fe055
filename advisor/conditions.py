"""Which named condition a described situation is most like: a classifier learnt from the signals.

Each condition the advisor can recognise (a failure mode, a root cause, an exit sign, a partner
factor, a success factor, a lifecycle stage: the items of ``knowledge/_domain/lists.yaml`` with
``signals`` or ``told`` in ``situations.yaml``) is a class; its examples are those and its one-line
summary. A multinomial logistic regression on their sentence vectors (:mod:`advisor.softmax`) is
trained at ingest beside the scope model (:mod:`advisor.intent`) and read by
:func:`advisor.situations.diagnose`, which ranks the conditions by it.

Why not the nearest signal: one close signal of the wrong condition outranks a condition whose
signals all lean the message's way ("our partner is also a rival and nothing moves" sat nearest a
signal of unclear scope). Measured on the 67 labelled dev situations (evals/gold.yaml, ``diagnosis``)
with the same bonuses on top (shared rare words, retrieval): the right condition ranked first for
0.60 with the nearest signal, 0.78 with this model (top three: 0.89 and 0.91). A "none" class
(:data:`NONE`) keeps plain questions from being read as a condition (dev key facts 0.785 -> 0.798).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from advisor import softmax
from advisor.domain import Domain

C = 10.0  # inverse L2 strength (dev ranking: C=3 0.76, 10 0.78, 30 0.79 right first; flat)
STEPS = 300  # converged: 200, 600 and 1,500 steps rank the dev situations alike
LEARNING_RATE = 20.0


@dataclass
class ConditionModel:
    ids: list[str]  # item ids, one per class
    weights: np.ndarray  # (d, classes)
    bias: np.ndarray  # (classes,)

    def log_probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Per condition id (and :data:`NONE`), the log of its probability for this sentence vector."""
        z = np.asarray(vector, dtype=np.float32)[None, :] @ self.weights + self.bias
        logp = np.log(np.maximum(softmax.softmax(z)[0], 1e-12))
        return {cid: float(v) for cid, v in zip(self.ids, logp, strict=True)}

    def arrays(self) -> dict[str, np.ndarray]:
        return {"ids": np.asarray(self.ids, dtype=str), "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_arrays(cls, arrays) -> ConditionModel:
        return cls(
            ids=[str(i) for i in np.asarray(arrays["ids"]).tolist()],
            weights=np.asarray(arrays["weights"], dtype=np.float32),
            bias=np.asarray(arrays["bias"], dtype=np.float32),
        )


NONE = ""  # the class of questions that tell of no condition (see examples)


def examples(
    domain: Domain, questions: Mapping[tuple[str, str], Sequence[str]] | None = None
) -> tuple[list[str], list[str]]:
    """The training texts and the condition id of each: every item's signals, tellings and summary;
    and, as :data:`NONE`, the written questions (knowledge/_domain/questions.yaml) of the sections no
    condition cites. A softmax always names some condition; without a class for "none of them" a
    plain question ("does ending a partnership mean we failed?") was read as an exit sign."""
    texts: list[str] = []
    labels: list[str] = []
    for lst in domain.lists:
        for item in lst.items:
            if item.described:
                for text in item.texts():
                    texts.append(text)
                    labels.append(item.id)
    if texts and questions:
        cited = {(c.source, c.section) for i in domain.items.values() if i.described for c in i.cites}
        for key, asked in questions.items():
            if key not in cited:
                texts.extend(asked)
                labels.extend(NONE for _ in asked)
    return texts, labels


def train_conditions(vectors: np.ndarray, labels: Sequence[str]) -> ConditionModel | None:
    """Fit the model (None with fewer than two conditions: nothing to tell apart)."""
    ids = list(dict.fromkeys(labels))
    if len(ids) < 2:
        return None
    y = np.array([ids.index(label) for label in labels])
    w, b = softmax.fit(np.asarray(vectors, dtype=np.float64), y, len(ids), C, STEPS, LEARNING_RATE)
    return ConditionModel(ids=ids, weights=w.astype(np.float32), bias=b.astype(np.float32))
