"""The LLM option against a local fake OpenAI-compatible server: valid output is used;
invalid JSON, ungrounded names, timeouts and 500s fall back to the embedded summarizer and
are counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.brief.embedded import Article
from bot.brief.llm import LlmFailed, LlmSummarizer
from bot.pipeline.briefing import BriefService
from storage import AsyncStorage, Storage
from tests.llm_server import ARTICLE, ARTICLE_TITLE, FakeLlmServer

PUBLISHED = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
async def llm_server() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer() as server:
        yield server


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[AsyncStorage]:
    store = AsyncStorage(await asyncio.to_thread(Storage, tmp_path / "t.db"))
    yield store
    await store.close()


def article() -> Article:
    return Article(title=ARTICLE_TITLE, text=ARTICLE, published=PUBLISHED)


async def test_valid_output_is_used_and_the_request_is_json_schema(
    llm_server: FakeLlmServer,
) -> None:
    llm = LlmSummarizer(llm_server.url, model="tiny", api_key="sk-test", timeout=5)
    try:
        brief = await llm.summarize(article())
    finally:
        await llm.close()
    assert brief.method == "llm"
    assert brief.key_details.where == "Austin"
    request = llm_server.requests[0]
    assert request["model"] == "tiny"
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] and fmt["json_schema"]["strict"] is True
    assert set(fmt["json_schema"]["schema"]["properties"]) == {
        "introduction",
        "key_details",
        "why_it_matters",
        "takeaway",
    }
    assert llm_server.headers[0]["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize("mode", ["invalid_json", "ungrounded", "error", "wrong_schema"])
async def test_bad_answers_raise(llm_server: FakeLlmServer, mode: str) -> None:
    llm_server.mode = mode  # type: ignore[assignment]
    llm = LlmSummarizer(llm_server.url, model=None, api_key=None, timeout=5)
    try:
        with pytest.raises(LlmFailed):
            await llm.summarize(article())
    finally:
        await llm.close()


async def test_a_stalled_llm_times_out(llm_server: FakeLlmServer) -> None:
    llm_server.mode = "stall"
    llm = LlmSummarizer(llm_server.url, model=None, api_key=None, timeout=0.5)
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(LlmFailed, match="within"):
            await llm.summarize(article())
    finally:
        await llm.close()
    assert asyncio.get_running_loop().time() - started < 3


async def test_concurrency_is_limited(llm_server: FakeLlmServer) -> None:
    llm_server.delay = 0.2
    llm = LlmSummarizer(llm_server.url, model=None, api_key=None, timeout=5, concurrency=2)
    try:
        await asyncio.gather(*(llm.summarize(article()) for _ in range(6)))
    finally:
        await llm.close()
    assert llm_server.max_in_flight == 2


@pytest.mark.parametrize("mode", ["invalid_json", "ungrounded", "error", "stall"])
async def test_the_service_falls_back_and_counts(
    llm_server: FakeLlmServer, storage: AsyncStorage, mode: str
) -> None:
    llm_server.mode = mode  # type: ignore[assignment]
    llm = LlmSummarizer(llm_server.url, model=None, api_key=None, timeout=0.5)
    service = BriefService(storage, None, llm)
    try:
        brief = await service.make(article())
    finally:
        await service.close()
    assert brief.method == "embedded"
    assert "Northwind Systems" in brief.introduction
    counters = await storage.run(storage.sync.meta.counters)
    assert counters.get("llm_fallbacks") == 1


async def test_the_service_uses_a_valid_llm_brief_without_counting(
    llm_server: FakeLlmServer, storage: AsyncStorage
) -> None:
    service = BriefService(
        storage, None, LlmSummarizer(llm_server.url, model=None, api_key=None, timeout=5)
    )
    try:
        brief = await service.make(article())
    finally:
        await service.close()
    assert brief.method == "llm"
    assert (await storage.run(storage.sync.meta.counters)).get("llm_fallbacks") is None
