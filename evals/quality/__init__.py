"""Quality evaluation: the gold set (``evals/gold.yaml``) asked of the advisor and scored."""
