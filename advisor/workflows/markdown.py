"""Markdown export of a scorecard or health-check report, with a numbered list of its sources."""

from __future__ import annotations

from advisor.workflows.health import HealthReport
from advisor.workflows.model import Citation
from advisor.workflows.scorecard import ScorecardReport

Report = ScorecardReport | HealthReport


def to_markdown(report: Report) -> str:
    cites = report.citations()
    ref = {c: n for n, c in enumerate(cites, 1)}

    def marks(group: tuple[Citation, ...]) -> str:
        return " " + "".join(f"[{ref[c]}]" for c in group if c in ref) if group else ""

    title = f"# {report.title}" + (f": {report.subject}" if report.subject else "")
    body = _scorecard(report, marks) if isinstance(report, ScorecardReport) else _health(report, marks)
    lines = [title, "", *body, *_trend(report), "## Sources", ""]
    lines += [f"{n}. {c.label()}" for n, c in enumerate(cites, 1)]
    return "\n".join(lines).rstrip() + "\n"


def _scorecard(report: ScorecardReport, marks) -> list[str]:
    lines = [
        f"**{report.band.label}**: overall {report.overall:.2f} of 5, "
        f"{len(report.red_flags)} red flag(s).{marks(report.band.cites)}",
        "",
        report.band.text,
        "",
        "| Factor | Score | Red flag |",
        "|---|---:|---|",
    ]
    lines += [f"| {f.factor.name} | {f.score:.2f} | {'yes' if f.red_flag else ''} |" for f in report.factors]
    lines.append("")
    if report.red_flags:
        lines += ["## Red flags", ""]
        for f in report.factors:
            if f.red_flag:
                lines += [
                    f"- **{f.factor.name}**: {f.factor.red_flag}",
                    f"  - Guidance: {f.factor.guidance}{marks(f.factor.cites)}",
                ]
        lines.append("")
    if report.interactions:
        lines += ["## Risky combinations", ""]
        lines += [f"- {p.text}{marks(p.cites)}" for p in report.interactions]
        lines.append("")
    lines += ["## Due-diligence next steps", ""]
    lines += [f"{n}. {p.text}{marks(p.cites)}" for n, p in enumerate(report.next_steps, 1)]
    return [*lines, "", *_notes(report.notes)]


def _health(report: HealthReport, marks) -> list[str]:
    lines = [
        f"**Verdict: {report.verdict.label}** (overall {report.overall:.2f} of 5)"
        + marks(report.verdict.cites),
        "",
    ]
    lines += [f"- {r}" for r in report.reasons]
    lines += ["", "## Findings", ""]
    if not report.findings:
        lines.append("No failure mode or exit sign was detected.")
    for f in report.findings:
        lines.append(f"- **{f.item.name}** ({f.item.kind}), severity {f.severity}, score {f.score:.2f}")
        if f.countermeasure:
            lines.append(f"  - Countermeasure: {f.countermeasure.text}{marks(f.cites)}")
    lines += ["", "## The next 90 days", ""]
    lines += [f"{n}. {a.text}{marks(a.cites)}" for n, a in enumerate(report.next_90_days, 1)]
    return [*lines, "", *_notes(report.notes)]


def _notes(notes: dict[str, str]) -> list[str]:
    if not notes:
        return []
    return ["## Your notes", "", *(f"- {qid}: {text}" for qid, text in notes.items()), ""]


def _trend(report: Report) -> list[str]:
    if not report.trend:
        return []
    lines = ["## Trend", "", "| When | Overall | Result |", "|---|---:|---|"]
    lines += [f"| {t['at']} | {t['overall']:.2f} | {t['label']} |" for t in report.trend]
    return [*lines, f"| now | {report.overall:.2f} | {report.outcome_label} |", ""]
