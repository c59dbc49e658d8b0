from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from storage.models import Shards


def test_a_process_runs_every_shard_unless_told_otherwise() -> None:
    assert Settings(shard_count=2).shards is None
    assert Settings(shard_count=2, shard_ids=[1, 0]).shards is None  # all of them: one process


def test_some_shards_in_this_process_need_a_shared_postgresql_database() -> None:
    with pytest.raises(ValidationError, match="must share a PostgreSQL database"):
        Settings(shard_count=2, shard_ids=[1], database="newsdesk.db")
    with pytest.raises(ValidationError, match="needs NEWSDESK_SHARD_COUNT"):
        Settings(shard_ids=[1])


def test_shards_say_which_guilds_are_theirs() -> None:
    shards = Shards(4, (1, 3))
    assert [shards.owns(n << 22) for n in range(4)] == [False, True, False, True]
    assert shards.where("guild_id") == "((guild_id >> 22) % 4) IN (1, 3)"
