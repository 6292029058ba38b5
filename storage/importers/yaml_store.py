"""The whole store as YAML: `regiobot export` writes it, `regiobot import x.yaml` reads it.

Reading validates the file against `storage.schema.StoreData` before anything is
written, and names file, line and field for every problem; the caller applies the
result in one transaction, so a bad file changes nothing. Stricter than YAML itself:

- a key twice in one mapping is refused (YAML loaders keep the last one silently,
  which would change a value the reader of the file never saw);
- aliases (`*name`) are refused: an export never writes them, and a few nested ones
  expand to billions of values (the "billion laughs");
- bytes that are not UTF-8 are named by line and column.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

from storage.apply import apply_store_data
from storage.export import export_store_data
from storage.importers import (
    ImportRefused,
    ImportReport,
    Problem,
    decode_utf8,
    line_and_column,
    source_name,
)
from storage.schema import StoreData

HEADER = "# Regiobot store export. Re-import with: regiobot import <this file>\n"


# Deeper than any export (about 8 levels); PyYAML composes recursively.
MAX_DEPTH = 64


class _NoAliases(yaml.SafeDumper):
    """Writes a value seen twice in full instead of as an anchor and alias, which the
    reader refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_store(session: Session) -> str:
    data = export_store_data(session).model_dump(mode="json", exclude_none=True)
    return HEADER + yaml.dump(
        data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100
    )


class _Refusal(Exception):
    def __init__(self, mark: yaml.Mark, message: str):
        self.mark = mark
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and nesting deeper than MAX_DEPTH while
    composing, before anything is expanded or built."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refusal(event.start_mark, f"aliases (*{event.anchor}) are not allowed in an "
                           "export; write the value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refusal(self.peek_event().start_mark, "nested too deeply")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _where(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (None, None) if mark is None else (mark.line + 1, mark.column + 1)


def _not_valid_yaml(error: yaml.YAMLError, source: str) -> ImportRefused:
    line, column = _where(getattr(error, "problem_mark", None))
    message = getattr(error, "problem", None) or str(error)
    return ImportRefused([Problem(source, line, f"not valid YAML: {message}", column=column)])


def _compose(text: str, source: str) -> yaml.Node | None:
    loader = None
    try:
        # The reader checks every character when it is made.
        loader = _StrictLoader(text)
        return loader.get_single_node()
    except _Refusal as refusal:
        line, column = _where(refusal.mark)
        raise ImportRefused([Problem(source, line, refusal.message, column=column)]) from None
    except yaml.reader.ReaderError as error:
        # A character YAML does not allow (a control character): its position is in
        # characters of the text.
        line, column = line_and_column(text, error.position)
        raise ImportRefused([Problem(
            source, line, f"not valid YAML: character {error.character!r} is not allowed",
            column=column,
        )]) from None
    except yaml.YAMLError as error:
        raise _not_valid_yaml(error, source) from None
    finally:
        if loader is not None:
            loader.dispose()


def _duplicate_keys(root: yaml.Node | None, source: str) -> list[Problem]:
    """Every key written twice in one mapping, at the line of its second occurrence."""
    problems: list[Problem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    line, column = _where(key_node.start_mark)
                    if key_node.value in first:
                        problems.append(Problem(
                            source, line,
                            f"key {key_node.value!r} given twice (first on line "
                            f"{first[key_node.value]}); it must be given once",
                            column=column,
                        ))
                    else:
                        first[key_node.value] = line or 0
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _construct(root: yaml.Node, source: str) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except yaml.YAMLError as error:
        raise _not_valid_yaml(error, source) from None
    except (ValueError, TypeError, OverflowError) as error:
        # A scalar its tag cannot hold (a timestamp of the year 0, a bad !!binary).
        raise ImportRefused([Problem(source, None, f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()


def parse_store_yaml(text: str, *, source: str) -> StoreData:
    """Validate YAML text as a StoreData, or raise ImportRefused naming lines and fields."""
    root = _compose(text, source)
    duplicates = _duplicate_keys(root, source)
    if duplicates:
        raise ImportRefused(duplicates)
    raw = None if root is None else _construct(root, source)
    if not isinstance(raw, dict):
        raise ImportRefused([Problem(source, 1, "expected a mapping with people/regions")])
    try:
        return StoreData.model_validate(raw)
    except ValidationError as error:
        problems = [
            Problem(
                source,
                _line_of(root, err["loc"]),
                _message(err),
                field=".".join(str(part) for part in err["loc"]) or None,
            )
            for err in error.errors(include_url=False)
        ]
        raise ImportRefused(problems) from None


_SHOWN = (str, int, float, bool, type(None))


def _message(err: dict[str, Any]) -> str:
    message = err["msg"]
    # Only a scalar is shown: the repr of a whole mapping or list can be huge.
    if err["type"] not in ("missing", "extra_forbidden") and isinstance(err.get("input"), _SHOWN):
        value = err["input"]
        if not isinstance(value, str) or len(value) <= 60:
            shown = repr(value)
            if len(shown) <= 60:
                message += f" (got {shown})"
    return message


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest YAML node along a pydantic error location."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child = value_node
                    # A missing value's error points at its key.
                    line = key_node.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def import_store_yaml(session: Session, path: Path, *, now: datetime) -> ImportReport:
    source = source_name(path)
    try:
        data_bytes = Path(path).read_bytes()
    except OSError as error:
        raise ImportRefused([Problem(source, None, f"cannot read: {error.strerror or error}")]) from None
    data = parse_store_yaml(decode_utf8(data_bytes, source=source), source=source)
    report = ImportReport(source=source)
    try:
        apply_store_data(session, data, now=now, report=report)
    except ValueError as error:
        raise ImportRefused([Problem(source, None, str(error))]) from None
    return report
