"""One post per story: a delivery that reports what an earlier post in the same channel
already reports (within 48 hours) joins that story instead of posting, and the first post
is edited to say who else covered it. Only the same channel: readers of another channel
never saw that post, and a merge there would hide the story from them (#19)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.clock import Clock
from bot.stories.cluster import DEFAULT_WINDOW, Fingerprint, StoryText, best_story, fingerprint
from bot.text.limits import CONTENT_LIMIT, EMBED_TOTAL_LIMIT, FIELD_LIMIT, FOOTER_LIMIT
from bot.text.markdown import MessagePayload, clean, embed_length, truncate
from storage import AsyncStorage
from storage.models import Item, Outgoing, Shards
from storage.stories import UNMERGED, Candidate, Coverage

log = logging.getLogger(__name__)

CACHE_SIZE = 20_000


def story_text(item: Item) -> StoryText:
    # The feed, not a guild's name for it, is the outlet: one fingerprint serves every guild.
    return StoryText(
        title=item.title,
        text=(item.summary or item.content)[:3000],
        published=item.published_at or item.first_seen_at,
        source=f"feed:{item.feed_id}",
    )


def with_coverage(payload: MessagePayload, coverage: Sequence[Coverage]) -> MessagePayload:
    """The post naming the other sources that carried the story: in the footer, and as
    links where they fit."""
    if not coverage:
        return payload
    names = ", ".join(dict.fromkeys(clean(c.source_name) for c in coverage))
    if payload.embed is None:
        line = truncate(f"-# also covered by {names}", 300)
        content = payload.content or ""
        if len(content) + len(line) >= CONTENT_LIMIT:
            return payload
        return replace(payload, content=f"{content}\n{line}")
    embed: dict[str, Any] = {**payload.embed}
    footer = embed.get("footer", {}).get("text", "")
    embed["footer"] = {"text": truncate(f"{footer} · also covered by {names}", FOOTER_LIMIT)}
    links = [
        f"[{clean(c.source_name)}]({c.url})"
        for c in coverage
        if c.url and c.url.startswith(("http://", "https://")) and len(c.url) < 300
    ]
    value = ""
    for link in links:
        candidate = f"{value} · {link}" if value else link
        if len(candidate) > FIELD_LIMIT:
            break
        value = candidate
    if value and embed_length(embed) + len("Also covered by") + len(value) <= EMBED_TOTAL_LIMIT:
        embed["fields"] = [
            *embed.get("fields", [])[:24],
            {"name": "Also covered by", "value": value, "inline": False},
        ]
    return replace(payload, embed=embed)


Edit = Callable[[int, int, Outgoing], Awaitable[bool]]


class StoryDesk:
    def __init__(self, storage: AsyncStorage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        self._fingerprints: OrderedDict[int, Fingerprint] = OrderedDict()

    async def merge_batch(self, batch: list[Outgoing]) -> list[Outgoing]:
        """Merge, in delivery order, each delivery that joins an earlier post's story; return
        the deliveries still to post."""
        keep: list[Outgoing] = []
        candidates: dict[tuple[int, int], list[Candidate]] = {}
        merge_on: dict[int, bool] = {}
        store = self._storage.sync
        now = self._clock()
        for outgoing in batch:
            guild = outgoing.delivery.guild_id
            if guild not in merge_on:
                settings = await self._storage.run(store.guilds.settings, guild)
                merge_on[guild] = settings.merge_stories
            if not merge_on[guild] or outgoing.delivery.reason == UNMERGED:
                keep.append(outgoing)
                continue
            where = (guild, outgoing.delivery.channel_id)
            if where not in candidates:
                last = max(o.delivery.id for o in batch) + 1
                candidates[where] = await self._storage.run(
                    store.stories.candidates, guild, last, now - 2 * DEFAULT_WINDOW, where[1]
                )
            earlier = [
                c
                for c in candidates[where]
                if c.delivery_id < outgoing.delivery.id and c.item_id != outgoing.item.id
            ]
            stories = await self._stories(earlier)
            mine = await self._item_fingerprint(outgoing.item)
            match = best_story(mine, stories)
            if match is None:
                keep.append(outgoing)
                continue
            await self._storage.run(store.stories.merge, outgoing.delivery.id, match, guild, now)
            log.info("delivery %d joins the story of delivery %d", outgoing.delivery.id, match)
        return keep

    async def _stories(self, earlier: list[Candidate]) -> list[tuple[int, list[Fingerprint]]]:
        """The candidates as stories, keyed by their first post, its fingerprint first (a
        story whose first post is older than the candidates has only its later members)."""
        members: dict[int, list[tuple[bool, int, Fingerprint]]] = {}
        for c in earlier:
            first = c.delivery_id == c.story_delivery_id
            fp = await self._candidate_fingerprint(c)
            members.setdefault(c.story_delivery_id, []).append((not first, c.delivery_id, fp))
        return [
            (key, [fp for _, _, fp in sorted(found, key=lambda m: (m[0], m[1]))])
            for key, found in members.items()
        ]

    async def coverage(self, delivery_id: int) -> list[Coverage]:
        return await self._storage.run(self._storage.sync.stories.coverage, delivery_id)

    async def edit_first_posts(self, edit: Edit, shards: Shards | None = None) -> int:
        """Edit every sent first post (of `shards`' guilds) whose story gained sources;
        return how many."""
        store = self._storage.sync
        done = 0
        for post in await self._storage.run(store.stories.needing_edit):
            outgoing = post.outgoing
            if shards is not None and not shards.owns(outgoing.delivery.guild_id):
                continue
            if await edit(outgoing.delivery.channel_id, post.message_id, outgoing):
                await self._storage.run(store.stories.edited, post.story_id)
                done += 1
        return done

    async def _item_fingerprint(self, item: Item) -> Fingerprint:
        cached = self._fingerprints.get(item.id)
        if cached is not None:
            return cached
        made = fingerprint(story_text(item))
        await self._storage.run(self._storage.sync.stories.set_fingerprint, item.id, made.to_json())
        return self._remember(item.id, made)

    async def _candidate_fingerprint(self, candidate: Candidate) -> Fingerprint:
        cached = self._fingerprints.get(candidate.item_id)
        if cached is not None:
            return cached
        if candidate.fingerprint:
            try:
                return self._remember(
                    candidate.item_id, Fingerprint.from_json(candidate.fingerprint)
                )
            except ValueError:
                pass  # an older fingerprint version: make it again
        item = await self._storage.run(self._storage.sync.items.get, candidate.item_id)
        assert item is not None
        return await self._item_fingerprint(item)

    def _remember(self, item_id: int, value: Fingerprint) -> Fingerprint:
        self._fingerprints[item_id] = value
        self._fingerprints.move_to_end(item_id)
        while len(self._fingerprints) > CACHE_SIZE:
            self._fingerprints.popitem(last=False)
        return value
