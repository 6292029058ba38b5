"""`regiobot ask` loads what answering needs, not every CLI area's libraries (start-up
is most of the time a one-shot command takes; bench/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys

_SCRIPT = """
import sys
from regiobot.cli import main
status = main(["ask", "/regio help"])
print(status, *sorted(m for m in ("alembic", "storage.migrate",
                                   "storage.importers.ijw", "slack_bolt", "uvicorn")
                      if m in sys.modules))
"""


def test_it_answers_help_without_loading_migrations_imports_or_the_web_server(store_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REGIOBOT_"))}
    env["DATABASE_URL"] = store_url
    done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    *answer, loaded = done.stdout.strip().splitlines()
    assert "/regio" in "\n".join(answer)
    assert loaded == "0", f"loaded for a help answer: {loaded}"
