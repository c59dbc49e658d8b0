"""BriefService and the deliverer's use of it, on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.brief.model import Brief
from bot.pipeline.briefing import BriefService
from bot.pipeline.deliver import Deliverer
from bot.text.markdown import MessagePayload
from storage import AsyncStorage, Storage
from storage.models import Item, NewItem
from tests.llm_server import ARTICLE, ARTICLE_TITLE
from tests.models import make_new_item
from tests.storage.test_storage import NOW, route, subscription


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[AsyncStorage]:
    store = AsyncStorage(await asyncio.to_thread(Storage, tmp_path / "t.db"))
    yield store
    await store.close()


def new_item() -> NewItem:
    return make_new_item(
        "guid:1",
        guid="1",
        title=ARTICLE_TITLE,
        url="https://example.com/1",
        content=ARTICLE,
        published_at=NOW,
    )


async def stored_item(storage: AsyncStorage, style: str = "brief") -> Item:
    await storage.run(
        storage.sync.subscribe,
        subscription(backfill=1, style=style),
        [new_item()],
        route=route,
        now=NOW,
    )
    (outgoing,) = await storage.run(storage.sync.deliveries.due, NOW)
    return outgoing.item


async def test_a_brief_is_made_once_stored_and_reused(storage: AsyncStorage) -> None:
    item = await stored_item(storage)
    service = BriefService(storage)
    try:
        first, second = await asyncio.gather(
            service.brief_for(item, fulltext=False), service.brief_for(item, fulltext=False)
        )
        assert first == second and first.method == "embedded"
        assert "Northwind Systems" in first.introduction
        reloaded = await storage.run(storage.sync.items.get, item.id)
        assert reloaded is not None and reloaded.brief_json is not None
        assert Brief.model_validate_json(reloaded.brief_json) == first
        # A stored brief is returned as it is, never made again.
        stored = first.model_copy(update={"introduction": "Stored."})
        fresh = BriefService(storage)
        again = await fresh.brief_for(
            replace(reloaded, brief_json=stored.model_dump_json()), fulltext=False
        )
        assert again.introduction == "Stored."
        await fresh.close()
    finally:
        await service.close()


class Recorder:
    def __init__(self) -> None:
        self.sent: list[MessagePayload] = []

    def idempotent(self, channel_id: int, payload: MessagePayload) -> bool:
        return True  # posts as the bot, in a text channel

    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        self.sent.append(payload)
        return 1000 + len(self.sent)


class BrokenBriefs(BriefService):
    async def brief_for(self, item: Item, *, fulltext: bool) -> Brief:
        raise RuntimeError("summarizer exploded")


async def test_the_deliverer_posts_a_brief_embed(storage: AsyncStorage) -> None:
    await stored_item(storage)
    sender = Recorder()
    briefs = BriefService(storage)
    deliverer = Deliverer(storage, sender, lambda: NOW, instance="test", briefs=briefs)
    assert await deliverer.deliver_due() == 1
    await briefs.close()
    embed = sender.sent[0].embed
    assert embed is not None
    assert embed["fields"][0]["name"] == "Key details"


async def test_a_brief_failure_never_loses_the_post(storage: AsyncStorage) -> None:
    await stored_item(storage)
    sender = Recorder()
    briefs = BrokenBriefs(storage)
    deliverer = Deliverer(storage, sender, lambda: NOW, instance="test", briefs=briefs)
    assert await deliverer.deliver_due() == 1
    await briefs.close()
    embed = sender.sent[0].embed
    assert embed is not None and "fields" not in embed and embed["title"] == ARTICLE_TITLE
