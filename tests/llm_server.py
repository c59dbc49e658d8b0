"""A local fake of an OpenAI-compatible chat-completions server, on 127.0.0.1.

It answers POST /v1/chat/completions in one of several modes: a valid brief, invalid JSON,
a brief naming people and places the article does not, a stall past any timeout, or HTTP
500. It records each request body so tests can check the request (response_format, model).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from aiohttp import web

Mode = Literal["valid", "invalid_json", "ungrounded", "stall", "error", "wrong_schema"]


def valid_brief() -> dict[str, Any]:
    """A brief grounded in tests.llm_server.ARTICLE."""
    return {
        "introduction": "Northwind Systems agreed to buy Coldfront for $2.1 billion in cash.",
        "key_details": {
            "who": "Northwind Systems; Coldfront; Priya Raman (chief executive)",
            "what": "Northwind Systems agreed to buy Coldfront",
            "when": "Tuesday",
            "where": "Austin",
            "why": None,
            "how": "With cash on hand and a new term loan",
        },
        "why_it_matters": [
            "Racks built for the newest accelerators need liquid cooling.",
            "The deal is the largest in Northwind's history.",
        ],
        "takeaway": "The deal is expected to close in the third quarter.",
    }


def ungrounded_brief() -> dict[str, Any]:
    brief = valid_brief()
    brief["key_details"]["who"] = "Northwind Systems; John Appleseed (chairman)"
    brief["key_details"]["where"] = "Berlin"
    return brief


ARTICLE_TITLE = "Northwind Systems to buy Coldfront for $2.1 billion"
ARTICLE = (
    "Northwind Systems said on Tuesday that it had agreed to buy Coldfront, a maker of "
    "liquid-cooling equipment based in Austin, for $2.1 billion in cash.\n\n"
    "The deal is the largest in Northwind's history. Racks built for the newest "
    "accelerators need liquid cooling, said Priya Raman, chief executive of Northwind "
    "Systems.\n\nNorthwind will pay with cash on hand and a new term loan. The deal is "
    "expected to close in the third quarter."
)


class FakeLlmServer:
    def __init__(self) -> None:
        self.mode: Mode = "valid"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeLlmServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.mode == "stall":
                await self._release.wait()  # until the server stops
                return web.json_response({"error": "stopped"}, status=503)
            if self.mode == "error":
                return web.json_response({"error": {"message": "boom"}}, status=500)
            if self.mode == "invalid_json":
                content = '{"introduction": "Northwind agreed to buy Coldfront", "key_det'
            elif self.mode == "ungrounded":
                content = json.dumps(ungrounded_brief())
            elif self.mode == "wrong_schema":
                content = json.dumps({"summary": "Northwind agreed to buy Coldfront."})
            else:
                content = json.dumps(valid_brief())
            return web.json_response(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "model": self.requests[-1].get("model", "fake"),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": content},
                        }
                    ],
                }
            )
        finally:
            self.in_flight -= 1
