"""Listener groups; each has `register(app, settings, factory)` (see bot.app)."""
