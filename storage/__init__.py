"""The store: models, sessions, queries, migrations and importers. Imports nothing of ours."""
