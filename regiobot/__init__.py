"""Regiobot's kernel: settings and the clock, which every package may use and which use
nothing of ours (docs/architecture.md §1). The command line is the top package,
`regiobot_cli`; `python -m regiobot` starts it."""
