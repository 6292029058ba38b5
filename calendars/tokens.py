"""Feed tokens and the URLs built from them.

A token is 32 random bytes from `secrets` (256 bits), URL-safe base64. Only its
SHA-256 is stored; lookups compare hashes with `hmac.compare_digest`. The token is a
bearer secret: it is shown once to its owner in an ephemeral Slack message and must
never be logged (see `calendars.http.RedactFeedTokens` for the access log).

The primitives live in `storage.feeds` because `commands` may import only `storage`;
this module re-exports them for the calendar side and adds the subscription URLs.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote

from storage.feeds import TOKEN_BYTES, hash_token, new_token

__all__ = [
    "TOKEN_BYTES",
    "FeedUrls",
    "feed_urls",
    "hash_token",
    "looks_like_token",
    "new_token",
    "tokens_match",
]

# What `secrets.token_urlsafe(32)` produces: 43 characters of the URL-safe alphabet.
# Anything else cannot be a token, so it is refused before touching the store.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def looks_like_token(value: str) -> bool:
    return bool(_TOKEN_SHAPE.fullmatch(value))


def tokens_match(token: str, stored_hash: str) -> bool:
    """Whether `token` hashes to `stored_hash`, in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)


@dataclass(frozen=True)
class FeedUrls:
    https: str
    webcal: str
    google: str


def feed_urls(public_base_url: str, token: str) -> FeedUrls:
    """The feed's https URL, the same as webcal:// (opens the calendar app) and a
    Google Calendar "add by URL" link."""
    https = f"{public_base_url.rstrip('/')}/calendar/{token}.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return FeedUrls(https=https, webcal=webcal, google=google)
