"""The whole store as YAML: `regiobot export` writes it, `regiobot import x.yaml` reads it.

Reading validates the file against `storage.schema.StoreData` before anything is
written, and names file, line and field for every problem; the caller applies the
result in one transaction, so a bad file changes nothing.
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
from storage.importers import ImportRefused, ImportReport, Problem
from storage.schema import StoreData

HEADER = "# Regiobot store export. Re-import with: regiobot import <this file>\n"


def dump_store(session: Session) -> str:
    data = export_store_data(session).model_dump(mode="json", exclude_none=True)
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def parse_store_yaml(text: str, *, source: str) -> StoreData:
    """Validate YAML text as a StoreData, or raise ImportRefused naming lines and fields."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = getattr(error, "problem", None) or str(error)
        raise ImportRefused([Problem(source, line, f"not valid YAML: {message}")]) from None
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


def _message(err: dict[str, Any]) -> str:
    message = err["msg"]
    if err["type"] not in ("missing", "extra_forbidden") and "input" in err:
        shown = repr(err["input"])
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
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRefused([Problem(source, None, f"cannot read: {error}")]) from None
    data = parse_store_yaml(text, source=source)
    report = ImportReport(source=source)
    try:
        apply_store_data(session, data, now=now, report=report)
    except ValueError as error:
        raise ImportRefused([Problem(source, None, str(error))]) from None
    return report
