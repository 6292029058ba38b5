"""Is the clock process alive? The web process's /healthz asks `scheduler_status`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import deliveries as store

DEFAULT_STALE_SECONDS = 180


def scheduler_status(
    session: Session, *, now: datetime, stale_after_seconds: int | None = None
) -> dict:
    """{"ok", "status": ok|stale|never, "last_tick", "age_seconds", "process", counts}.

    `ok` is False when no clock ever ticked or its last tick is older than
    `stale_after_seconds` (settings.heartbeat_stale_seconds): posts are then not going
    out. Failed deliveries are reported, not counted against `ok` — they need an admin,
    not a restart.
    """
    if stale_after_seconds is None:
        from regiobot.settings import get_settings  # only when not given

        stale_after_seconds = get_settings().heartbeat_stale_seconds
    beat = store.last_heartbeat(session)
    counts = store.count_by_status(session)
    result = {
        "ok": False,
        "status": "never",
        "last_tick": None,
        "age_seconds": None,
        "process": None,
        "stale_after_seconds": stale_after_seconds,
        "pending": counts.get("pending", 0) + counts.get("retry", 0),
        "sending": counts.get("sending", 0),
        "failed": counts.get("failed", 0),
    }
    if beat is None:
        return result
    age = (now - beat.last_tick).total_seconds()
    result.update(
        last_tick=beat.last_tick.isoformat(),
        age_seconds=round(age, 1),
        process=beat.process,
        ok=age <= stale_after_seconds,
        status="ok" if age <= stale_after_seconds else "stale",
    )
    return result
