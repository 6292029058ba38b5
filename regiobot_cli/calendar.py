"""`regiobot calendar export | url | revoke`: calendar feeds from the terminal.

`export` writes the same bytes the feed URL serves (to a file or stdout), for checking
a feed or publishing it elsewhere. `url` hands out a feed URL without Slack (the token
is printed once, as in Slack); `revoke` withdraws a Slack user's URLs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from regiobot import clock
from regiobot.settings import get_settings

from .common import CommandError, open_store


def register(subparsers) -> None:
    """Add this area's subcommands to the `regiobot` parser."""
    calendar = subparsers.add_parser("calendar", help="calendar feeds: export, URLs, revoke")
    actions = calendar.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export",
        help="write a feed (.ics) to a file or stdout",
        description="Write the region's feed, or one programme's, one person's, or the "
        "BOSD meetings', exactly as the feed URL serves it.",
    )
    _add_scope(export)
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)

    url = actions.add_parser("url", help="make a feed URL (shown once) without Slack")
    _add_scope(url)
    url.add_argument("--owner", metavar="SLACK_USER_ID",
                     help="the Slack user the URL belongs to (so `kalender intrekken` revokes it)")
    url.set_defaults(func=run_url)

    revoke = actions.add_parser("revoke", help="revoke every feed URL of a Slack user")
    revoke.add_argument("owner", metavar="SLACK_USER_ID")
    revoke.set_defaults(func=run_revoke)


def _add_scope(parser) -> None:
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--programme", metavar="NAME", help="one programme (name, slug or GHNT)")
    scope.add_argument("--person", metavar="NAME", help="one person's milestones")
    scope.add_argument("--meetings", action="store_true", help="the BOSD meetings")


def _scope(session, args) -> dict:
    """The feed_records arguments for the chosen scope, or CommandError."""
    from storage.feeds import find_person, find_programme

    if args.programme:
        programmes = find_programme(session, name=args.programme)
        return {"scope": "programme",
                "programme_id": _one(programmes, args.programme, "programme").id}
    if args.person:
        people = find_person(session, name=args.person)
        return {"scope": "person", "person_id": _one(people, args.person, "person").id}
    if args.meetings:
        return {"scope": "meetings"}
    return {"scope": "region"}


def _one(found: list, name: str, what: str):
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(f"no {what} matches {name!r}")
    names = ", ".join(sorted(item.name for item in found))
    raise CommandError(f"{name!r} matches more than one {what}: {names}")


def run_export(args) -> int:
    from calendars.ics_export import build_content_feed
    from storage.feeds import feed_records

    factory = open_store()
    with factory() as session:
        kwargs = _scope(session, args)
        content = feed_records(session, **kwargs)
        if content is None:
            raise CommandError("that feed has nothing to show")
        feed = build_content_feed(content, now=clock.utcnow())
    if args.output is None:
        sys.stdout.buffer.write(feed.body)
        sys.stdout.buffer.flush()
    else:
        try:
            args.output.write_bytes(feed.body)
        except OSError as error:
            raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
        print(f"{args.output}: {feed.events} events, {len(feed.body)} bytes", file=sys.stderr)
    return 0


def run_url(args) -> int:
    from calendars.tokens import feed_urls
    from storage.db import transaction
    from storage.feeds import create_feed_token

    with transaction(open_store()) as session:
        kwargs = _scope(session, args)
        token = create_feed_token(
            session, now=clock.utcnow(), owner_slack_id=args.owner, **kwargs
        )
    urls = feed_urls(get_settings().public_base_url, token)
    print(urls.https)
    print(urls.webcal)
    print(urls.google)
    return 0


def run_revoke(args) -> int:
    from storage.db import transaction
    from storage.feeds import revoke_feed_tokens

    with transaction(open_store()) as session:
        n = revoke_feed_tokens(session, owner_slack_id=args.owner, now=clock.utcnow())
    print(f"{n} feed URL(s) revoked")
    return 0
