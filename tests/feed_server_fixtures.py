"""The `feed_server` fixture: a started :class:`tests.feed_server.FeedServer`, stopped after
the test. Registered in tests/conftest.py through ``pytest_plugins``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.feed_server import FeedServer


@pytest_asyncio.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
