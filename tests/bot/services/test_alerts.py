"""Alerts: exactly one when a source starts failing and one when it recovers, whatever the
number of failed polls; a gone feed gets its own alert."""

from __future__ import annotations

from bot.services.alerts import Alerts
from bot.text.markdown import MessagePayload
from tests.bot.conftest import Pipeline


class RecordingSender:
    """Stands in for Discord at the Sender boundary (the emulator covers the real one)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, str]] = []

    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        self.sent.append((channel_id, payload.content or "", nonce))
        return len(self.sent)


async def test_one_alert_per_state_change_across_20_failed_polls(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    source = await pipeline.add("/a.xml")
    sender = RecordingSender()
    alerts = Alerts(pipeline.storage, sender, pipeline.clock)
    pipeline.srv.fail("/a.xml", status=500)
    for poll in range(20):
        await pipeline.poll()
        await alerts.send_due()
        if poll < 2:
            assert sender.sent == []  # two failures are not worth a message yet
    assert len(sender.sent) == 1
    channel, text, _ = sender.sent[0]
    assert channel == source.channel_id and "failed 3 polls in a row" in text
    pipeline.srv.clear_faults("/a.xml")
    for _ in range(3):
        await pipeline.poll()
        await alerts.send_due()
    assert len(sender.sent) == 2 and "working again" in sender.sent[1][1]

    # A second failing episode alerts again, with a different nonce.
    pipeline.srv.fail("/a.xml", status=503)
    for _ in range(4):
        await pipeline.poll()
        await alerts.send_due()
    assert len(sender.sent) == 3 and sender.sent[2][2] != sender.sent[0][2]


async def test_gone_feeds_alert_once_in_the_alert_channel(pipeline: Pipeline) -> None:
    pipeline.srv.add_feed("/a.xml", title="A", kind="rss").add_items(1)
    await pipeline.add("/a.xml")
    await pipeline.storage.run(
        pipeline.storage.sync.guilds.update_settings, 1, pipeline.clock(), alert_channel_id=99
    )
    sender = RecordingSender()
    alerts = Alerts(pipeline.storage, sender, pipeline.clock)
    pipeline.srv.fail("/a.xml", status=410)
    await pipeline.poll()
    assert await alerts.send_due() == 1
    assert await alerts.send_due() == 0
    ((channel, text, _),) = sender.sent
    assert channel == 99 and "is paused" in text and "410" in text
