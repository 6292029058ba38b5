"""Declarations: iJw 3.2 timeliness for care providers (docs/architecture.md §5,
docs/declarations.md).

The whole area, in one package:

| module | what |
|---|---|
| `models` | the tables (provider, assignment, message event, obligation) and the plain records importers hand over |
| `store` | all declarations SQL: writing extracted messages, reading them for the rules |
| `ijw_xml` | iJw 3.2 XML messages: XSD validation, extraction without personal data |
| `ijw_csv` | the back-office CSV export and provider-name files |
| `importing` | one all-or-nothing import of XML, CSV and names together (`import_declarations`) |
| `rules` | the timeliness rules, obligations, findings and KPIs as of a day, one group of messages at a time |
| `obligations` | the obligations kept in the store: derived with `rules` group by group from the messages imported since the last time (`refresh`: the clock, every 30 s, and every read first), read as of a day by grouped queries (`evaluate`, `findings`, `finding_counts`) |
| `reference` | the rules as they were before corrections were understood (issue 15): the tests compare the new output with it on traffic without corrections |
| `demo` | a generated year of traffic (XML and CSV), deterministic per seed |

The Slack command and weekly digest are `commands.declaraties`; the CLI is
`regiobot_cli.declarations`. Nothing in the package imports a reader it does not need:
`ijw_xml` and `ijw_csv` know `models` and `store` only, and `importing` knows both; the
derivation of what an import wrote is the clock's (`scheduler.clock_process`).

The models and the store functions are importable from here, as before the package
existed (`from storage.declarations import MessageEvent, count_events`).
"""

from storage.declarations.models import (
    ANSWER_INVESTIGATING,
    ANSWER_REJECTED,
    DECLARATION_REJECTED,
    MESSAGE_CODES,
    MESSAGE_TYPES,
    STATUS_DELETE,
    Assignment,
    AssignmentRow,
    Extracted,
    MessageEvent,
    Provider,
)
from storage.declarations.store import (
    add_events,
    assignment_rows,
    assignment_stream,
    assignments,
    count_events,
    declaration_stream,
    ensure_providers,
    event_rows,
    events,
    find_provider,
    known_messages,
    provider_names,
    providers,
    request_stream,
    set_provider_name,
    store_extracted,
    upsert_assignments,
)

__all__ = [
    "ANSWER_INVESTIGATING",
    "ANSWER_REJECTED",
    "Assignment",
    "AssignmentRow",
    "DECLARATION_REJECTED",
    "Extracted",
    "MESSAGE_CODES",
    "MESSAGE_TYPES",
    "MessageEvent",
    "Provider",
    "STATUS_DELETE",
    "add_events",
    "assignment_rows",
    "assignment_stream",
    "assignments",
    "count_events",
    "declaration_stream",
    "ensure_providers",
    "event_rows",
    "events",
    "find_provider",
    "known_messages",
    "provider_names",
    "providers",
    "request_stream",
    "set_provider_name",
    "store_extracted",
    "upsert_assignments",
]
