"""The scheduler: plan → claim → send → record (docs/architecture.md §6).

`planner` decides which posts are due, `sender` delivers them exactly once through a
`channels.Channel`, `clock_process` runs both under APScheduler, `health` tells /healthz
whether the clock is alive. All SQL is in `storage.deliveries`.
"""
