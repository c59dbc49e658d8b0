"""The LLM option: an OpenAI-compatible /chat/completions call that must return the brief
as JSON matching a schema. Validated with pydantic and checked for grounding; any failure
raises LlmFailed and the caller uses the embedded summarizer."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from typing import Any

import aiohttp
from pydantic import ValidationError

from bot.brief.embedded import Article
from bot.brief.grounding import Grounding
from bot.brief.model import Brief, llm_schema

log = logging.getLogger(__name__)

MAX_ARTICLE_CHARS = 12_000
SYSTEM_PROMPT = (
    "You write briefs for a tech-news desk. From the article only, fill the JSON schema: "
    "introduction (1-3 sentences saying what happened), key_details (who: people and "
    "organisations with their roles where stated; what: the main event in one line; when: "
    "the date as the article gives it; where; why; how) - use null for any detail the "
    "article does not give, never guess -, why_it_matters (2-3 short bullets) and takeaway "
    "(1-2 sentences). Every name, place and date you write must appear in the article."
)


class LlmFailed(Exception):
    """The LLM gave no usable brief (timeout, HTTP error, invalid or ungrounded output)."""


class LlmSummarizer:
    def __init__(
        self,
        url: str,
        *,
        model: str | None,
        api_key: str | None,
        timeout: float = 30.0,
        concurrency: int = 2,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._session = session
        self._own_session = session is None
        self._endpoint = url.rstrip("/") + (
            "" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions"
        )
        self._model = model or "default"
        self._api_key = api_key
        self._timeout = timeout
        self._slots = asyncio.Semaphore(concurrency)

    def request_body(self, article: Article) -> dict[str, Any]:
        published = article.published.date().isoformat() if article.published else "unknown"
        user = (
            f"Title: {article.title}\nPublished: {published}\n\n{article.text[:MAX_ARTICLE_CHARS]}"
        )
        return {
            "model": self._model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user},
            ],
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "newsdesk_brief", "schema": llm_schema(), "strict": True},
            },
        }

    async def summarize(self, article: Article) -> Brief:
        """The LLM's brief, validated and grounded. Raises LlmFailed."""
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        async with self._slots:
            if self._session is None:
                self._session = aiohttp.ClientSession(trust_env=False)
            try:
                async with asyncio.timeout(self._timeout):
                    async with self._session.post(
                        self._endpoint, json=self.request_body(article), headers=headers
                    ) as response:
                        if response.status != 200:
                            raise LlmFailed(f"the LLM answered HTTP {response.status}")
                        payload = await response.json(content_type=None)
            except TimeoutError as exc:
                raise LlmFailed(f"the LLM did not answer within {self._timeout:g} s") from exc
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                raise LlmFailed(f"the LLM call failed: {type(exc).__name__}") from exc
        return parse_reply(payload, article)

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()


def parse_reply(payload: Any, article: Article) -> Brief:
    """A chat-completions answer to a grounded Brief. Raises LlmFailed."""
    try:
        content = payload["choices"][0]["message"]["content"]
        data = json.loads(content)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        brief = Brief.model_validate({**data, "method": "llm"})
    except (KeyError, IndexError, TypeError, json.JSONDecodeError, ValidationError) as exc:
        raise LlmFailed(f"the LLM's answer is not a valid brief ({type(exc).__name__})") from exc
    if not brief.introduction.strip():
        raise LlmFailed("the LLM's brief has no introduction")
    published: date | None = article.published.date() if article.published else None
    check = Grounding(f"{article.title}\n{article.text}", published)
    lines = [brief.introduction, *(v for _, v in brief.key_details.lines())]
    lines += brief.why_it_matters + ([brief.takeaway] if brief.takeaway else [])
    bad = [name for line in lines for name in check.ungrounded(line)]
    if bad:
        raise LlmFailed(f"the LLM's brief names what the article does not: {bad[:3]}")
    return brief
