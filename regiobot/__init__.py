"""Regiobot's shared kernel: settings, the clock and the command line."""
