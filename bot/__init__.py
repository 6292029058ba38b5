"""The Slack surface: the Bolt app, its listeners, the ASGI app and Socket Mode."""
