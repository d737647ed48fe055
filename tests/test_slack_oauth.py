"""Many workspaces: the OAuth install flow against the stub (oauth.v2.access), events from a second
workspace answered with that workspace's own token, uninstall forgetting the workspace, and a channel
answered from its own collection."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request

from slack_bots import SECRET, Bot
from slack_stub import event_callback, mention, post_signed

from advisor.ingest import Ingestor
from bots.slack import run
from bots.slack.appdb import Installations, open_app_db

CLIENT_SECRET = "oauth-client-secret-123"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(), dict(exc.headers)


def install(bot: Bot, code: str, team: str, token: str) -> None:
    """What a person does: open /slack/install, approve on Slack, come back to /slack/oauth_redirect."""
    base = bot.url.rsplit("/slack/events", 1)[0]
    status, page, headers = get(base + "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([0-9a-f]+)", page).group(1)
    cookie = headers["set-cookie"].split(";")[0]
    bot.slack.install(code, team=team, token=token)
    status, page, _ = get(f"{base}/slack/oauth_redirect?code={code}&state={state}", {"Cookie": cookie})
    assert status == 200, page


def team_event(event: dict, team: str, event_id: str | None = None) -> dict:
    payload = event_callback(event, event_id)
    payload["team_id"] = team
    payload["authorizations"] = [{"team_id": team, "user_id": "UBOT", "is_bot": True}]
    return payload


def test_install_then_an_event_from_a_second_workspace_is_answered_with_its_token(make_bot, settings, caplog):
    run.mask_tokens_in_logs([caplog.handler])  # as `advisor slack` does on its log handlers
    with caplog.at_level(logging.DEBUG):  # slack_sdk's wire trace prints oauth.v2.access's bot token
        bot = make_bot(client_id="111.222", client_secret=CLIENT_SECRET)
        install(bot, "code-2", team="T0002", token="xoxb-team-2")
        install(bot, "code-3", team="T0003", token="xoxb-team-3")
        (exchange, _) = bot.slack.called("oauth.v2.access")
        assert exchange.body["code"] == "code-2"
        found = Installations(open_app_db(settings.data_dir)).find_bot(enterprise_id=None, team_id="T0002")
        assert found is not None and found.bot_token == "xoxb-team-2"

        event = mention("What is a joint venture?", ts="1700000300.000100", channel="C0T2")
        status, _ = post_signed(bot.url, SECRET, team_event(event, "T0002"))
        assert status == 200
        bot.settle()
    (reply,) = bot.slack.called("chat.postMessage")
    assert reply.token == "xoxb-team-2" and reply.body["channel"] == "C0T2"
    assert "joint venture" in reply.body["text"].lower()
    history = bot.answerer.advisor.sessions.history("slack:T0002:C0T2:1700000300.000100")
    assert len(history) == 1  # the team id is part of the conversation's key
    for secret in (CLIENT_SECRET, "xoxb-team-2", "xoxb-team-3", SECRET):
        assert secret not in caplog.text


def test_uninstall_forgets_the_workspace(make_bot, settings):
    bot = make_bot(client_id="111.222", client_secret=CLIENT_SECRET)
    install(bot, "code-2", team="T0002", token="xoxb-team-2")
    uninstalled = {"type": "app_uninstalled", "event_ts": "1700000310.000000"}
    assert post_signed(bot.url, SECRET, team_event(uninstalled, "T0002"))[0] == 200
    bot.settle()
    store = Installations(open_app_db(settings.data_dir))
    assert store.find_bot(enterprise_id=None, team_id="T0002") is None
    event = mention("What is a joint venture?", ts="1700000311.000100", channel="C0T2")
    post_signed(bot.url, SECRET, team_event(event, "T0002"))
    bot.settle()
    assert bot.slack.called("chat.postMessage") == []


def test_a_channel_is_answered_from_its_own_collection(make_bot, settings, tmp_path):
    docs = tmp_path / "legal"
    docs.mkdir()
    (docs / "notice.md").write_text(
        "# Termination notice in our partner contracts\n\n"
        "Every partner contract we sign sets a termination notice period of ninety days, counted from "
        "written notice to the partner's legal contact. The notice period cannot be shortened.\n",
        encoding="utf-8",
    )
    Ingestor(settings).run([docs], "legal")
    bot = make_bot(channel_collections=json.loads('{"C0LEGAL": "legal"}'))
    question = "What termination notice period do our partner contracts set?"
    assert bot.send(mention(question, channel="C0LEGAL", ts="1700000320.000100")) == 200
    assert bot.send(mention(question, channel="C0001", ts="1700000320.000200")) == 200
    bot.settle()
    by_channel = {p["channel"]: json.dumps(p["blocks"]) for p in bot.posts()}
    assert "Termination notice in our partner contracts" in by_channel["C0LEGAL"]
    assert "Termination notice in our partner contracts" not in by_channel["C0001"]
