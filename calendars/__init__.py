"""Calendar feeds (records → bytes), feed tokens, the feed HTTP endpoint, and reading
meetings from .ics files (docs/architecture.md §8)."""
