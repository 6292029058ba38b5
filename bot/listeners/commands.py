"""`/regio …`: acknowledge at once, answer through the command's response_url.

The answer is computed after the ack, in the web process's answer workers
(`bot.answers`), so the 3-second ack never waits for the store or for Slack. Read
answers are ephemeral; a reply that is not ephemeral (the user asked to share) goes to
the channel. When too many answers are waiting, the ack itself says to try again.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.listeners.context import too_busy, wiring_of

COMMAND = "/regio"


def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond, context: dict[str, Any]) -> None:
    """Ack at once and hand the command to the answer workers — or, when too many answers
    are waiting, say so in the ack."""
    # The answer is handed over directly rather than as a Bolt lazy listener: Bolt
    # deep-copies the whole request for every lazy listener in the request's own
    # thread, before the ack is returned — about three quarters of the ack's cost
    # (bench/slack_http.py, BENCHMARKS.md).
    wiring = wiring_of(context)
    if wiring.answers.busy():
        ack(text=too_busy(wiring.settings), response_type="ephemeral")
        return
    ack()
    wiring.answers.submit(body, respond)


def register(app: App) -> None:
    app.command(COMMAND)(acknowledge)
