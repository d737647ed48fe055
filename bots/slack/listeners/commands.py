"""``/advisor <question>``: answered privately (ephemeral) through the command's response_url."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bots.slack.answering import Answerer, Ask, session_key
from bots.slack.render import escape, plain_text

USAGE = (
    "Ask me about strategic alliances and partnerships, for example "
    "`/advisor How should we choose a partner?` Only you will see the answer. "
    "`/advisor scorecard` rates a candidate partner; `/advisor health` checks a running alliance."
)


def register(app: App, answerer: Answerer) -> None:
    @app.command("/advisor")
    def on_command(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        question = plain_text(command.get("text", ""))
        if not question or question.lower() == "help":
            ack(response_type="ephemeral", text=USAGE)
            return
        ack(response_type="ephemeral", text=f"Looking into “{escape(question[:200])}”…")
        channel, user = command.get("channel_id", ""), command.get("user_id", "")
        team = command.get("team_id")
        answerer.submit(private_ask(question, team, channel, user, f"slash:{user}", client, respond))


def private_ask(
    question: str, team: str | None, channel: str, user: str, key: str, client: WebClient, respond: Respond
) -> Ask:
    """A question answered to its asker alone through ``respond`` (response_url), quoted above the answer;
    ``key`` names the conversation within the channel."""
    return Ask(
        question=question,
        user=user,
        channel=channel,
        thread_ts=None,
        session_id=session_key(team, channel, key),
        client=client,
        respond=respond,
        echo_question=True,
        team_id=team,
    )
