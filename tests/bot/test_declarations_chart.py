"""`/regio declaraties` through the real Bolt app: the answer at the response_url, and
its chart uploaded with files_upload_v2 (issue 15 #4) — in a direct message with the
asker, since the answer is ephemeral."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.declarations.demo import write_demo_declarations
from storage.declarations.importing import import_declarations
from tests.bot.conftest import ALICE, CHANNEL, blocks_text

PNG = b"\x89PNG\r\n\x1a\n"


def _import_demo(web, tmp_path) -> None:
    folder = write_demo_declarations(tmp_path / "ijw", messages=120, seed=2020, csv_export=False)
    with web.factory() as session, session.begin():
        import_declarations(session, [folder / "xml", folder / "aanbieders.csv"],
                            now=datetime(2020, 12, 31, 12, tzinfo=UTC))


def test_it_uploads_the_chart_of_a_declaraties_answer_to_the_asker(web, tmp_path, monkeypatch):
    monkeypatch.setenv("REGIOBOT_TODAY", "2020-12-31")
    _import_demo(web, tmp_path)
    _, response_url = web.sender.command("declaraties", user_id=ALICE, channel_id=CHANNEL)
    [answer] = web.slack.wait_for("response_url", where=lambda c: response_url.endswith(c.path))
    assert "Declaraties" in blocks_text(answer.args["blocks"])
    web.slack.wait_for("files.completeUploadExternal")
    [upload] = web.slack.uploads()
    assert upload["content"].startswith(PNG)
    assert upload["channel"] == ALICE  # the asker's DM, not the channel: the answer was ephemeral
    assert "op tijd" in upload["title"]


def test_it_uploads_nothing_when_an_answer_has_no_chart(web):
    _, response_url = web.sender.command("declaraties", user_id=ALICE, channel_id=CHANNEL)
    web.slack.wait_for("response_url", where=lambda c: response_url.endswith(c.path))
    web.settle()
    assert web.slack.uploads() == []
