"""stub until shape-core lands"""

from advisor.embeddings import content_words, stem  # noqa: F401
