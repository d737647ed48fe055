"""A PNG bar chart of a report: factor scores (scorecard) or item scores (health check).

matplotlib is imported here only, when a chart is asked for; without it the caller gets a
MissingExtraError naming the extra to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.workflows.errors import MissingExtraError
from advisor.workflows.health import HealthReport
from advisor.workflows.scorecard import ScorecardReport

INSTALL_HINT = "pip install 'alliance-advisor[evals]'"
COLOURS = {"high": "#c0392b", "medium": "#e67e22", None: "#2e86c1", "flag": "#c0392b"}


def check_available() -> None:
    """Raise MissingExtraError now, before any work, when a chart could not be drawn."""
    import importlib.util

    try:
        found = importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):  # ValueError: sys.modules["matplotlib"] is None (blocked)
        found = False
    if not found:
        raise MissingExtraError(f"charts need matplotlib: {INSTALL_HINT}")


def write_chart(report: ScorecardReport | HealthReport, path: Path) -> Path:
    """Draw the report's scores into ``path`` (PNG) and return it."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError(f"charts need matplotlib: {INSTALL_HINT}") from None
    labels, scores, colours = _bars(report)
    fig = Figure(figsize=(8, 1.2 + 0.4 * len(labels)), dpi=100)
    FigureCanvasAgg(fig)
    ax: Any = fig.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, scores, color=colours)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, max([5.0, *scores]) + 0.5)  # room for the value labels
    ax.set_xlabel("score (1 = weak or alarming, 5 = strong or healthy)")
    for y, score in zip(positions, scores, strict=True):
        ax.text(score + 0.05, y, f"{score:.1f}", va="center", fontsize=8)
    subject = f": {report.subject}" if report.subject else ""
    ax.set_title(f"{report.title}{subject} — {report.outcome_label} ({report.overall:.2f})", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def _bars(report: ScorecardReport | HealthReport) -> tuple[list[str], list[float], list[str]]:
    if isinstance(report, ScorecardReport):
        return (
            [f.factor.name for f in report.factors],
            [f.score for f in report.factors],
            [COLOURS["flag"] if f.red_flag else COLOURS[None] for f in report.factors],
        )
    return (
        [s.item.name for s in report.scores],
        [s.score for s in report.scores],
        [COLOURS.get(s.severity, COLOURS[None]) for s in report.scores],
    )
