"""Block Kit for the guided workflows: the modal that asks the statements, and the report message.

The modal has one required alliance/partner name and one 1-5 static_select per statement; each input
block's id is the statement id, so the core's per-question problems map straight onto Slack's inline
``response_action: errors``. Reports are rendered from the report's JSON (the same dict that is stored),
so a stored report can be shared later without scoring it again. All user text is escaped.
"""

from __future__ import annotations

import json
from typing import Any

from advisor.workflows import SUBJECT, Workflows
from bots.slack.render import escape, split_text

CALLBACK_ID = "advisor_workflow"
SHARE_ACTION = "advisor_workflow_share"
RATING_ACTION = "rating"
SUBJECT_ACTION = "value"
SUBJECT_LABEL = {"scorecard": "Candidate partner", "health": "Alliance name"}
SUBMIT_LABEL = {"scorecard": "Score", "health": "Check"}
MAX_BLOCKS = 45


def modal(workflows: Workflows, name: str, channel: str) -> dict[str, Any]:
    """The modal for ``name``; ``channel`` (where the command was typed) rides in private_metadata."""
    scale = workflows.scale(name)
    labels = {scale.min: scale.low_label, scale.max: scale.high_label}
    options = [
        _option(f"{n} – {labels[n]}" if n in labels else str(n), str(n))
        for n in range(scale.min, scale.max + 1)
    ]
    topics = workflows.topics(name)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(workflows.intro(name))}},
        {
            "type": "input",
            "block_id": SUBJECT,
            "label": _plain(SUBJECT_LABEL[name]),
            "hint": _plain("A later check of the same name shows the trend."),
            "element": {"type": "plain_text_input", "action_id": SUBJECT_ACTION, "max_length": 120},
        },
    ]
    for n, question in enumerate(workflows.questions(name), 1):
        blocks.append(
            {
                "type": "input",
                "block_id": question.id,
                "label": _plain(f"{n}. {question.text}"[:2000]),
                "hint": _plain(topics[question.id][:2000]),
                "element": {
                    "type": "static_select",
                    "action_id": RATING_ACTION,
                    "placeholder": _plain(f"Rate {scale.min}-{scale.max}"),
                    "options": options,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"workflow": name, "channel": channel}),
        "title": _plain(workflows.title(name)[:24]),
        "submit": _plain(SUBMIT_LABEL[name]),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def read_submission(view: dict[str, Any]) -> tuple[str, str, dict[str, Any], str]:
    """(workflow, channel, {statement id: rating text}, subject) from a view_submission's view."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = (view.get("state") or {}).get("values") or {}
    ratings: dict[str, Any] = {}
    subject = ""
    for block_id, actions in values.items():
        if block_id == SUBJECT:
            subject = str((actions.get(SUBJECT_ACTION) or {}).get("value") or "")
            continue
        option = (actions.get(RATING_ACTION) or {}).get("selected_option")
        if option:
            ratings[block_id] = option.get("value")
    return str(meta.get("workflow", "")), str(meta.get("channel", "")), ratings, subject


def report_message(
    report: dict[str, Any], result_id: int | None, shared_by: str | None = None
) -> dict[str, Any]:
    """``{"text", "blocks"}`` for a report dict; with ``result_id`` (a private copy) a Share button."""
    refs: dict[tuple[str, str], int] = {}

    def cite(sources: list[dict[str, str]]) -> str:
        marks = []
        for s in sources:
            key = (s["doc"], s["section"])
            refs.setdefault(key, len(refs) + 1)
            marks.append(f"[{refs[key]}]")
        return " " + "".join(marks) if marks else ""

    body = _scorecard(report, cite) if report["workflow"] == "scorecard" else _health(report, cite)
    title = report["title"] + (f": {report['subject']}" if report.get("subject") else "")
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(title[:150])}]
    if shared_by:
        blocks.append(_context(f"Shared by <@{shared_by}>"))
    for chunk in body:
        blocks += [_section(part) for part in split_text(chunk)]
    blocks = blocks[: MAX_BLOCKS - 3]
    sources = "\n".join(f"[{n}] knowledge/{escape(doc)} § {escape(sec)}" for (doc, sec), n in refs.items())
    blocks += [_context("*Sources*\n" + part) for part in split_text(sources, 2900)][:2]
    if result_id is not None:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SHARE_ACTION,
                        "text": _plain("Share in channel"),
                        "value": str(result_id),
                    }
                ],
            }
        )
    return {"text": f"{escape(title)}: {escape(_outcome(report))}", "blocks": blocks}


def _outcome(report: dict[str, Any]) -> str:
    label = report["band"]["label"] if report["workflow"] == "scorecard" else report["verdict_label"]
    return f"{label} (overall {report['overall']:.2f} of 5)"


def _scorecard(report: dict[str, Any], cite) -> list[str]:
    band = report["band"]
    out = [
        f"*{escape(band['label'])}*: overall {report['overall']:.2f} of 5, "
        f"{len(report['red_flags'])} red flag(s).{cite(band['sources'])}\n{escape(band['text'])}"
    ]
    out.append(
        "\n".join(
            f"• {escape(f['name'])}: {f['score']:.2f}" + ("  :red_circle: red flag" if f["red_flag"] else "")
            for f in report["factors"]
        )
    )
    for f in report["factors"]:
        if f["red_flag"]:
            out.append(f"*{escape(f['name'])}*: _Guidance:_ {escape(f['guidance'])}{cite(f['sources'])}")
    if report["interactions"]:
        out.append(
            "*Risky combinations*\n"
            + "\n".join(f"• {escape(i['text'])}{cite(i['sources'])}" for i in report["interactions"])
        )
    out.append(
        "*Due-diligence next steps*\n"
        + "\n".join(
            f"{n}. {escape(s['text'])}{cite(s['sources'])}" for n, s in enumerate(report["next_steps"], 1)
        )
    )
    return out + _trend(report)


def _health(report: dict[str, Any], cite) -> list[str]:
    out = [
        f"*Verdict: {escape(report['verdict_label'])}* (overall {report['overall']:.2f} of 5)"
        f"{cite(report['verdict_sources'])}\n" + "\n".join(f"• {escape(r)}" for r in report["reasons"])
    ]
    if report["findings"]:
        out.append(
            "*Findings*\n"
            + "\n".join(
                f"• *{escape(f['name'])}* ({escape(f['kind'])}, {f['severity']}): "
                f"{escape(f['countermeasure'] or '')}{cite(f['sources'])}"
                for f in report["findings"]
            )
        )
    else:
        out.append("*Findings*\nNo failure mode or exit sign was detected.")
    out.append(
        "*The next 90 days*\n"
        + "\n".join(
            f"{n}. {escape(a['text'])}{cite(a['sources'])}" for n, a in enumerate(report["next_90_days"], 1)
        )
    )
    return out + _trend(report)


def _trend(report: dict[str, Any]) -> list[str]:
    if not report.get("trend"):
        return []
    points = [f"{t['at'][:10]} {t['overall']:.2f} ({escape(t['label'])})" for t in report["trend"]]
    return ["*Trend*: " + " → ".join([*points, f"now {report['overall']:.2f}"])]


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text[:75]), "value": value}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
