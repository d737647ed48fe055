"""``/advisor scorecard`` and ``/advisor health``: a modal, a private report, and a Share button.

The command opens the workflow's modal (views.open). On submission the answers are checked by the
core: problems go back inline (``response_action: errors``, nothing stored); otherwise the result is
stored for (team, user, workflow, subject) and the report is sent privately (chat.postEphemeral in the
channel, or a DM when the bot cannot post there) with a "Share in channel" button that posts it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from advisor.workflows import SUBJECT, WORKFLOW_NAMES, AnswersError, Workflows
from bots.slack.answering import Answerer, describe
from bots.slack.workflow_views import CALLBACK_ID, SHARE_ACTION, modal, read_submission, report_message

log = logging.getLogger(__name__)

TRY_AGAIN = "Sorry, something went wrong; please try again in a moment."
GONE = "Sorry, I no longer have that report, so it could not be shared."


def workflow_of(command: dict[str, Any]) -> str | None:
    """``scorecard`` or ``health`` when the command's first word names a workflow, else None."""
    words = str(command.get("text") or "").split()
    name = words[0].lower() if words else ""
    return name if name in WORKFLOW_NAMES else None


def register(app: App, answerer: Answerer, workflows: Workflows | None = None) -> None:
    """Register before the question listener of ``/advisor``: Bolt runs the first listener that matches."""
    flows = workflows or Workflows.from_settings(answerer.advisor.settings)

    @app.command("/advisor", matchers=[lambda command: workflow_of(command) is not None])
    def on_command(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        ack()
        name = workflow_of(command) or ""
        try:
            client.views_open(
                trigger_id=command["trigger_id"], view=modal(flows, name, command.get("channel_id", ""))
            )
        except SlackApiError as exc:
            log.warning("views.open failed for %s: %s", name, describe(exc))
            respond(text=TRY_AGAIN, response_type="ephemeral")

    @app.view_submission(CALLBACK_ID)
    def on_submit(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        name, channel, raw, subject = read_submission(view)
        user = (body.get("user") or {}).get("id", "")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
        if name not in WORKFLOW_NAMES:
            ack(response_action="errors", errors={SUBJECT: "This form is out of date; please run it again."})
            return
        try:
            report = flows.submit(name, raw, team=team, user=user, subject=subject, require_subject=True)
        except AnswersError as exc:
            ack(response_action="errors", errors=exc.problems or {SUBJECT: str(exc)[:150]})
            return
        except Exception as exc:  # nothing reaches the user but a short message; details go to the log
            log.warning("workflow %s failed: %s", name, describe(exc))
            ack(response_action="errors", errors={SUBJECT: TRY_AGAIN})
            return
        ack()
        log.info("workflow %s stored as result %s (%s)", name, report.result_id, report.outcome)
        send_privately(client, channel, user, report_message(report.to_json(), report.result_id))

    @app.action(SHARE_ACTION)
    def on_share(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        value = str(action.get("value", ""))
        result = flows.stored(int(value)) if value.isdigit() else None
        if result is None or result.user != user or not channel:
            respond(text=GONE, response_type="ephemeral", replace_original=False)
            return
        message = report_message(result.report, None, shared_by=user)
        try:
            client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **message)
        except SlackApiError as exc:
            log.warning("sharing result %s failed: %s", value, describe(exc))
            respond(text=TRY_AGAIN, response_type="ephemeral", replace_original=False)
            return
        # The private copy stays, without its button, so the report is not shared twice by accident.
        private = report_message(result.report, None)
        note = {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "You shared this in the channel."}],
        }
        respond(text=private["text"], blocks=[*private["blocks"], note], replace_original=True)


def send_privately(client: WebClient, channel: str, user: str, message: dict[str, Any]) -> None:
    """An ephemeral message where the command was typed, or a DM when that is not possible."""
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, **message)
            return
        except SlackApiError as exc:  # e.g. not_in_channel: the bot was never invited there
            log.info("ephemeral report refused (%s); sending a DM", describe(exc))
    try:
        client.chat_postMessage(channel=user, unfurl_links=False, unfurl_media=False, **message)
    except SlackApiError as exc:
        log.warning("could not deliver a workflow report: %s", describe(exc))
