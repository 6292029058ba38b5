"""A clock process for bench/faults.py: the real scheduler jobs (`scheduler.clock_process.Jobs`:
planner, sender with the real `SlackChannel`, heartbeat) in a tight loop, with the
simulated moment read from a file the fault run advances (`FAULT_CLOCK_FILE`, an ISO
datetime). Environment: DATABASE_URL, SLACK_BOT_TOKEN, SLACK_API_BASE_URL.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from regiobot.settings import get_settings
from regiobot_cli.common import open_store
from scheduler.channels import SlackChannel
from scheduler.clock_process import Jobs

# The fake Slack makes some calls hang longer than this: an unknown outcome.
CLIENT_TIMEOUT = 1


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    clock_file = Path(os.environ["FAULT_CLOCK_FILE"])
    settings = get_settings()
    channel = SlackChannel.from_token(settings.slack_bot_token,
                                      base_url=settings.slack_api_base_url,
                                      timeout=CLIENT_TIMEOUT)

    def simulated() -> datetime:
        return datetime.fromisoformat(clock_file.read_text().strip())

    # One moment per round for the planner, the sender's tick and the heartbeat: the
    # run takes a heartbeat at or after a step's moment to mean the planner has seen
    # that moment too. Within a send the sender reads the simulated clock itself, which
    # runs faster than real time while posts are pending.
    moment = [simulated()]
    jobs = Jobs(settings, open_store(settings.database_url), channel, now=lambda: moment[0])
    jobs.sender.clock = simulated
    # A row left `sending` by a SIGKILL is judged stale by the database's clock, in real
    # time (docs/scheduler.md): with sends of a few calls of at most CLIENT_TIMEOUT each,
    # 20 s is ample — what the default five minutes are to the real 30 s timeout.
    jobs.sender.stale_after = timedelta(seconds=20)
    while True:
        moment[0] = simulated()
        try:
            jobs.plan()
            jobs.send()
            jobs.heartbeat()
        except Exception:  # a lock conflict or a dropped connection: the next tick retries
            logging.exception("tick failed")
        time.sleep(0.05)


if __name__ == "__main__":
    main()
