"""What Slack says about a user (users.info with the locale), kept in the store
(storage.linking): it gives the user's language and lets Regiobot offer "Ben jij …?".

Fetched when someone opens the Home tab or first talks to the bot, and again once it is
older than `PROFILE_MAX_AGE`, so an answer costs a users.info call at most once a week
per person.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from regiobot import clock
from storage.linking import SlackProfile, get_profile, profile_of, save_profile

log = logging.getLogger(__name__)

# A Slack profile (names, email, locale) is fetched again after this long.
PROFILE_MAX_AGE = timedelta(days=7)


def refresh_profile(client: Any, session: Session, *, user_id: str) -> SlackProfile | None:
    """`user_id`'s profile, fetched from Slack (with a `client`) unless a fresh one is
    kept, in the answer's own session: a fresh profile costs one read, and while the
    caller holds it the answer's language and the "Ben jij …?" offer read it from the
    session (its identity map keeps only what is referenced). A failure leaves the old
    profile (or none): the answer then speaks REGIOBOT_LANG and offers nothing."""
    known = get_profile(session, slack_user_id=user_id)
    if client is None or (
            known is not None and known.fetched_at > clock.utcnow() - PROFILE_MAX_AGE):
        return known
    # The store's connection goes back to the pool while Slack answers.
    session.commit()
    try:
        response = client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        log.warning("users.info for %s: %s", user_id, error.response.get("error"))
        return known
    user = response.get("user") or {}
    if user.get("is_bot"):
        return None
    profile = save_profile(session, slack_user_id=user_id, now=clock.utcnow(),
                           **profile_of(user))
    session.commit()
    return profile
