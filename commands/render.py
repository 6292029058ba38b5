"""The one place where replies become Block Kit or plain text.

Slack refuses a message with more than 50 blocks, a section text over 3000 characters
or a header over 150; long answers are cut here with a pointer to the rest rather than
rejected (docs/architecture.md §7). Blocks are built with `slack_sdk.models.blocks`, which checks
those lengths again when serialising.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from commands.core import (
    Actions,
    Button,
    DatePicker,
    Divider,
    Fields,
    Form,
    Header,
    Note,
    Reply,
    Text,
)
from commands.i18n import t

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block, ButtonElement, DatePickerElement

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_LABEL = 75
MAX_FALLBACK = 4000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split long mrkdwn at line ends so each piece fits a section."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = _cut(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def to_blocks(reply: Reply, *, lang: str = "nl", max_blocks: int = MAX_BLOCKS) -> list[Block]:
    # Imported here: plain text (the console, `regiobot ask`) needs no Slack library.
    from slack_sdk.models.blocks import (
        ActionsBlock,
        ContextBlock,
        DividerBlock,
        HeaderBlock,
        MarkdownTextObject,
        PlainTextObject,
        SectionBlock,
    )

    blocks: list[Block] = []
    for part in reply.parts:
        if isinstance(part, Header):
            blocks.append(HeaderBlock(text=PlainTextObject(text=_cut(part.text, MAX_HEADER))))
        elif isinstance(part, Text):
            for piece in _split_text(part.text):
                if piece.strip():
                    blocks.append(SectionBlock(text=MarkdownTextObject(text=piece)))
        elif isinstance(part, Fields):
            items = [_cut(item, MAX_FIELD) for item in part.items if item.strip()]
            for start in range(0, len(items), MAX_FIELDS):
                chunk = items[start : start + MAX_FIELDS]
                blocks.append(SectionBlock(fields=[MarkdownTextObject(text=i) for i in chunk]))
        elif isinstance(part, Note):
            if part.text.strip():
                blocks.append(
                    ContextBlock(
                        elements=[MarkdownTextObject(text=_cut(part.text, MAX_CONTEXT_TEXT))]
                    )
                )
        elif isinstance(part, Divider):
            blocks.append(DividerBlock())
        elif isinstance(part, Actions):
            blocks.append(
                ActionsBlock(
                    block_id=part.block_id,
                    elements=[_element(b) for b in part.buttons[:25]],
                )
            )
    if len(blocks) > max_blocks:
        blocks = blocks[: max_blocks - 1]
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=t("render.more", lang))])
        )
    return blocks


def _element(item: Button | DatePicker) -> ButtonElement | DatePickerElement:
    from slack_sdk.models.blocks import ButtonElement, DatePickerElement, PlainTextObject

    if isinstance(item, DatePicker):
        return DatePickerElement(
            action_id=item.action_id,
            placeholder=PlainTextObject(text=_cut(item.placeholder, MAX_BUTTON_LABEL)),
            initial_date=item.initial.isoformat() if item.initial else None,
        )
    return ButtonElement(
        text=PlainTextObject(text=_cut(item.label, MAX_BUTTON_LABEL)),
        action_id=item.action_id,
        value=item.value,
        style=item.style,
    )


_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def _plain(mrkdwn: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", mrkdwn)
    return _BOLD.sub(r"\1", text)


def to_text(reply: Reply) -> str:
    """The reply as plain text: the console, `regiobot ask`, and Slack's fallback."""
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Header):
            lines += [part.text, "=" * min(len(part.text), 60)]
        elif isinstance(part, Text):
            lines.append(_plain(part.text))
        elif isinstance(part, Fields):
            lines += [_plain(item).replace("\n", " ") for item in part.items]
        elif isinstance(part, Note):
            lines.append(f"  ({_plain(part.text)})")
        elif isinstance(part, Divider):
            lines.append("")
        elif isinstance(part, Actions):
            lines.append("  " + "  ".join(
                f"[{b.placeholder}]" if isinstance(b, DatePicker) else f"[{b.label}]"
                for b in part.buttons))
    return "\n".join(lines).strip() or reply.summary


def to_message(reply: Reply, *, lang: str = "nl") -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.update / respond(): text fallback + blocks.
    A reply written in the language of its question is summarised in that language."""
    return {
        "text": _cut(reply.summary or to_text(reply), MAX_FALLBACK),
        "blocks": [block.to_dict() for block in to_blocks(reply, lang=reply.lang or lang)],
    }


def to_home_view(reply: Reply, *, lang: str = "nl") -> dict[str, Any]:
    """A Home tab view (views.publish allows 100 blocks)."""
    return {
        "type": "home",
        "blocks": [
            b.to_dict() for b in to_blocks(reply, lang=lang, max_blocks=MAX_HOME_BLOCKS)
        ],
    }


# Slack's limits for modals: a title of 24 characters, submit/close labels of 24.
MAX_MODAL_TITLE = 24


def _input_element(field) -> dict[str, Any]:
    element: dict[str, Any] = {"action_id": "value"}
    if field.kind == "date":
        element["type"] = "datepicker"
        if field.initial:
            element["initial_date"] = field.initial
    elif field.kind == "user":
        element["type"] = "users_select"
        if field.initial:
            element["initial_user"] = field.initial
    elif field.kind == "choice":
        options = [{"text": {"type": "plain_text", "text": _cut(label, 75)}, "value": value}
                   for value, label in field.options]
        element.update(type="static_select", options=options)
        chosen = [o for o in options if o["value"] == field.initial]
        if chosen:
            element["initial_option"] = chosen[0]
    else:
        element["type"] = "plain_text_input"
        element["multiline"] = field.kind == "multiline"
        if field.initial:
            element["initial_value"] = field.initial
        if field.max_length:
            element["max_length"] = field.max_length
    return element


def to_modal_view(form: Form, *, lang: str = "nl") -> dict[str, Any]:
    """A modal view for views.open (Block Kit `input` blocks, one per field)."""
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_cut(form.intro, MAX_SECTION_TEXT))).to_dict())
    for field in form.fields:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.block_id,
            "label": {"type": "plain_text", "text": _cut(field.label, 2000)},
            "element": _input_element(field),
            "optional": field.optional,
        }
        if field.hint:
            block["hint"] = {"type": "plain_text", "text": _cut(field.hint, 2000)}
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": form.callback_id,
        "title": {"type": "plain_text", "text": _cut(form.title, MAX_MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": _cut(form.submit, MAX_MODAL_TITLE)},
        "close": {"type": "plain_text", "text": t("form.cancel", lang)},
        "private_metadata": form.private[:3000],
        # view_closed tells when someone cancels (nothing changes then).
        "notify_on_close": True,
        "blocks": blocks,
    }


def form_values(state: dict[str, Any]) -> dict[str, str | None]:
    """{block_id: the answer as text} from a view_submission's `view.state.values`."""
    out: dict[str, str | None] = {}
    for block_id, actions in (state or {}).items():
        element = (actions or {}).get("value") or {}
        value = (element.get("selected_date") or element.get("selected_user")
                 or (element.get("selected_option") or {}).get("value")
                 or element.get("value"))
        out[block_id] = value.strip() if isinstance(value, str) else None
    return out


def to_info_modal(reply: Reply, *, title: str, lang: str = "nl") -> dict[str, Any]:
    """A modal that only shows a reply (no inputs): for what one person alone may see."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": _cut(title, MAX_MODAL_TITLE)},
        "close": {"type": "plain_text", "text": t("form.cancel", lang)},
        "blocks": [b.to_dict() for b in to_blocks(reply, lang=lang, max_blocks=MAX_HOME_BLOCKS)],
    }
