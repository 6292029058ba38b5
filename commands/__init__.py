"""What each `/regio` subcommand and each free question means.

A handler is a plain function: (the text after the subcommand, a Context) → a Reply.
The same handler serves a slash command, a mention, a DM and the console; rendering to
Block Kit or plain text happens in one place (`commands.render`).
"""
