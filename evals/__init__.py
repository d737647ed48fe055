"""Evaluation of the advisor: ``quality/`` (answer quality on the gold set) and ``bench/`` (performance)."""
