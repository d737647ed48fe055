"""The scope decision: is a question in the knowledge base's domain, out of it, or small talk?

Two parts. What the request is *about*: a three-class multinomial logistic regression on the query
vector (whatever the embedder makes: MiniLM sentence vectors, or hashed bags of words in tests) plus
one more feature, the best cosine between the query and any chunk of the build. It is trained at
ingest time on questions the knowledge base answers and situations told in many industries' words
(in), business-adjacent and general requests it does not answer (out) and small talk (chat), in
plain numpy (:mod:`advisor.softmax`). What the request asks the advisor to *do* (:mod:`advisor.acts`):
drafting or reviewing a document, naming a vendor, live news or regulated advice is refused whatever
the topic, because a sentence embedding sees "draft our JV exit clause" as a question about JV exits.

    model = train_scope(vectors, best_similarities, labels)
    probs = model.probabilities(query_vector, best_similarity)
    decide(probs, relevance, threshold=0.9, floor=0.15, query=text)     # -> "in" | "out" | "chat"

Measured on the dev split with MiniLM (evals/quality/calibrate.py): the similarity feature cut false
refusals from 3.3% to 1.1% at the same out-of-scope recall; standardising the features or a
stronger L2 (C=10) did worse. Method and today's numbers: evals/README.md, "The scope decision".

The threshold (in scope needs P(in) >= 1 - threshold) and the similarity floor are settings,
calibrated on the eval dev split by ``evals/quality/calibrate.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from advisor import softmax
from advisor.acts import request_act

Scope = Literal["in", "out", "chat"]
CLASSES: tuple[Scope, Scope, Scope] = ("in", "out", "chat")
C = 100.0  # inverse L2 strength, as in scikit-learn: loss = C * sum(w_i * CE_i) + |W|^2 / 2
STEPS = 1500
LEARNING_RATE = 20.0  # unit-length features have a small curvature: large steps are stable
STANDARDIZE = False
# Small talk must be confident: a friendly non-answer to a real question is as bad as a refusal. On
# the dev split every small-talk item scores P(chat) >= 0.99 with MiniLM and no in-scope item > 0.05;
# hashed bags of words (tests) are less sure of themselves.
CHAT_MIN = 0.9


@dataclass
class ScopeModel:
    """Weights of the classifier over standardised vectors."""

    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,)
    weights: np.ndarray  # (d, 3)
    bias: np.ndarray  # (3,)

    def probabilities(self, vector: np.ndarray, best_similarity: float) -> dict[Scope, float]:
        probs = self.predict(np.asarray(vector, dtype=np.float32)[None, :], np.asarray([best_similarity]))[0]
        return {name: float(p) for name, p in zip(CLASSES, probs, strict=True)}

    def predict(self, vectors: np.ndarray, similarities: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per vector, columns in CLASSES order."""
        x = features(vectors, similarities)
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return softmax.softmax(z)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "scale": self.scale, "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_arrays(cls, arrays) -> ScopeModel:
        return cls(
            mean=np.asarray(arrays["mean"], dtype=np.float32),
            scale=np.asarray(arrays["scale"], dtype=np.float32),
            weights=np.asarray(arrays["weights"], dtype=np.float32),
            bias=np.asarray(arrays["bias"], dtype=np.float32),
        )


def features(vectors: np.ndarray, similarities: np.ndarray) -> np.ndarray:
    """The classifier's input: the query vector and its best chunk similarity."""
    sims = np.asarray(similarities, dtype=np.float32).reshape(-1, 1)
    return np.hstack([np.asarray(vectors, dtype=np.float32), sims])


def train_scope(
    vectors: np.ndarray,
    similarities: np.ndarray,
    labels: list[Scope] | np.ndarray,
    c: float = C,
    steps: int = STEPS,
    standardize: bool = STANDARDIZE,
    learning_rate: float = LEARNING_RATE,
) -> ScopeModel:
    """Fit the classifier. Same inputs, same weights: no randomness anywhere."""
    # Built in place, in float64 from the start: at ingest this array (n examples by the vector width)
    # is the largest thing alive, and copies of it made the scope training an ingest's peak memory.
    vectors = np.asarray(vectors, dtype=np.float32)
    xs = np.empty((len(vectors), vectors.shape[1] + 1))
    xs[:, :-1] = vectors
    xs[:, -1] = np.asarray(similarities, dtype=np.float32).reshape(-1)
    y = np.array([CLASSES.index(label) for label in labels])
    d = xs.shape[1]
    mean = xs.mean(axis=0)
    scale = xs.std(axis=0) if standardize else np.ones(d)
    scale[scale < 1e-6] = 1.0
    xs -= mean
    xs /= scale
    w, b = softmax.fit(xs, y, len(CLASSES), c, steps, learning_rate)
    return ScopeModel(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=w.astype(np.float32),
        bias=b.astype(np.float32),
    )


def loss(
    model: ScopeModel, vectors: np.ndarray, similarities: np.ndarray, labels: list[Scope], c: float = C
) -> float:
    """The training objective (per-sample mean), for checking convergence."""
    y = np.array([CLASSES.index(label) for label in labels])
    n = len(y)
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float64)
    sample_w = (n / ((counts > 0).sum() * np.maximum(counts, 1.0)))[y]
    p = model.predict(vectors, similarities)
    ce = -np.log(np.maximum(p[np.arange(n), y], 1e-12))
    return float((sample_w * ce).mean() + (model.weights.astype(np.float64) ** 2).sum() / (2 * c * n))


def decide(
    probs: dict[Scope, float] | None,
    relevance: float,
    threshold: float,
    floor: float,
    query: str = "",
    rescue: bool = False,
) -> Scope:
    """Chat, out or in, for a standalone query.

    Chat when small talk is the most likely class and confident. Out when the request asks for
    something the knowledge base cannot do whatever its topic (:func:`advisor.acts.request_act`:
    draft, review, pick a vendor, live news, regulated advice), when nothing is even remotely
    similar (``relevance``: the best cosine to a chunk or an example question, below ``floor``), or
    when the classifier gives in-scope less than ``1 - threshold`` (out and small talk together: a
    question that is neither confident small talk nor in scope is not answered). In otherwise.
    ``probs`` is None for a build without a scope model: act and floor alone decide. ``rescue``
    (:func:`rescued`, for the question as asked) keeps in scope what the classifier would refuse."""
    if probs is not None and probs["chat"] >= max(probs["in"], probs["out"], CHAT_MIN):
        return "chat"
    if request_act(query) is not None or relevance < floor:
        return "in" if rescue else "out"
    if probs is not None and probs["in"] < 1.0 - threshold:
        return "in" if rescue else "out"
    return "in"


def rescued(asked: str, situation: bool, form: str) -> bool:
    """Whether the question as asked is in scope whatever the classifier says: a situation told of
    one's own alliance by its structure ("We've been in a JV for 4 years, profits are down and they
    want to buy us out. Should we sell?" reads like investing to it), or a checklist about
    partnering ("what should I check before signing with a new distributor? list please")."""
    return (situation and tells_own_alliance(asked)) or asks_domain_list(asked, form)


# An alliance of one's own named by its structure ("our JV", "the consortium we joined", "our
# reseller"): the plain "partner" is left out (a spouse or a business partner in a firm is one too).
_STRUCTURE = (  # an alliance named by its structure (not the plain "partner")
    r"jvs?|joint\s+ventures?|alliances?|consorti(um|a)|resellers?|distributors?|licens(ee|or|ing)s?|"
    r"co-?branding|co-?marketing|co-?sell(ing)?|co-?development|codeshares?"
)
_OWN_ALLIANCE = re.compile(
    rf"\b(our|my|we|we['’]re|we['’]ve|us)\b[^.?!]{{0,60}}\b({_STRUCTURE}|channel\s+partners?|"
    r"strategic\s+partner(ship)?s?|joint\s+(pilot|project|initiative|programme|program|team|offering|product)s?)\b"
    r"|\b(jv|joint\s+venture|alliance|consortium|reseller|distributor)\s+(partner|with)\b"
    # a deal offered to the asker: "a cloud provider wants a co-selling deal with us"
    r"|\bwants?\s+(a|an)\s+([\w-]+\s+){0,2}(deal|partnership|alliance|tie-up)\b",
    re.I,
)


_DOMAIN_THING = re.compile(rf"\b(partner(s|ship|ships|ing)?|{_STRUCTURE})\b", re.I)


def asks_domain_list(text: str, form: str) -> bool:
    """Whether a request for a checklist is about partnering ("what should I check before
    signing with a new distributor? list please"), and asks for nothing the knowledge base cannot do:
    the classifier reads "list please" as a request for anything."""
    return form == "checklist" and bool(_DOMAIN_THING.search(text)) and request_act(text) is None


# The plain "partner" names a partner firm when the message also speaks of the deal between the two
# firms ("contract signed last week with a payments partner", "our GC says negotiate the split with
# our partner"), not of a spouse or a co-founder.
_PARTNER_FIRM = re.compile(
    r"\b(our|the|a|an|their|this|that|new|with)\s+(?!business\s|life\s|romantic\s)([\w-]+\s+){0,2}partners?\b",
    re.I,
)
_DEAL_WORDS = re.compile(
    r"\b(contracts?|agreements?|signed|sign(ing)?\s+with|deal|clauses?|launch\w*|pilots?|roadmaps?|customers?|"
    r"revenue|integration|go-to-market|rollout|milestones?|deliverables?|kpis?|steering|escalat\w*|"
    r"funding\s+round|market)\b",
    re.I,
)


def tells_own_alliance(text: str) -> bool:
    """Whether a message tells of the asker's own alliance by its structure, or of a partner firm and
    the deal with it (and asks for nothing the knowledge base cannot do,
    :func:`advisor.acts.request_act`): such a situation is in scope however the classifier reads its
    other words ("profits are down ... should we sell?")."""
    told = bool(_OWN_ALLIANCE.search(text)) or (
        bool(_PARTNER_FIRM.search(text)) and bool(_DEAL_WORDS.search(text))
    )
    return told and request_act(text) is None
