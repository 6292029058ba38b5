"""`/regio …`: acknowledge at once, answer through the command's response_url.

The answer is computed after the ack, in the web process's answer workers
(`bot.answers`), so the 3-second ack never waits for the store or for Slack. Read
answers are ephemeral; a reply that is not ephemeral (the user asked to share) goes to
the channel. When too many answers are waiting, the ack itself says to try again. A
change named without its value (`/regio mijlpaal 12 verplaats`) opens its form.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.listeners.actions import open_modal
from bot.listeners.context import too_busy, wiring_of
from commands.changes import form_for_request, form_request

COMMAND = "/regio"


def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient,
                context: dict[str, Any]) -> None:
    """Ack at once and hand the command to the answer workers — or open the form it asks
    for, or, when too many answers are waiting, say so in the ack."""
    wiring = wiring_of(context)
    asked = form_request(body.get("text") or "")
    if asked is not None and body.get("trigger_id") and body.get("user_id"):
        # A change named without its value opens its form. views.open must come
        # within 3 s of the command (the trigger_id expires), so it is made here.
        ack()
        opener, number = asked
        open_modal(client, wiring.settings, wiring.factory,
                   lambda ctx: form_for_request(opener, number, ctx),
                   trigger_id=body["trigger_id"], user_id=body["user_id"],
                   origin={"channel": body.get("channel_id"), "command": True})
        return
    # The answer is handed over directly rather than as a Bolt lazy listener: Bolt
    # deep-copies the whole request for every lazy listener in the request's own
    # thread, before the ack is returned — about three quarters of the ack's cost
    # (bench/slack_http.py, BENCHMARKS.md).
    if wiring.answers.busy():
        ack(text=too_busy(wiring.settings), response_type="ephemeral")
        return
    ack()
    wiring.answers.submit(body, respond)


def register(app: App) -> None:
    app.command(COMMAND)(acknowledge)
