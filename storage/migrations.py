"""Ordered, named schema migrations, each in one transaction, run at start.

One list for both engines: each migration is a SQLite script and its PostgreSQL form
(snowflakes and ids BIGINT, text compared byte by byte as SQLite does: COLLATE "C";
timestamps stay ISO text, as on SQLite). Never edit a migration that has shipped: append a
new one. (The PostgreSQL forms may still change until PostgreSQL is selectable:
storage.database.POSTGRESQL_COMPLETE.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from storage.connection import driver_errors
from storage.database import Database
from storage.timeutil import to_db

log = logging.getLogger(__name__)

Migration = tuple[str, Callable[[Database], None]]

MIGRATION_LOCK = 7_020_001
"""PostgreSQL advisory lock held while migrating: two processes starting together do
not apply the same migration twice."""


def _script(db: Database, sqlite: str, postgresql: str) -> None:
    # Inside atomic(), sqlite-utils runs the script statement by statement with no implicit
    # commit; psycopg sends it as one simple query inside the transaction.
    if db.dialect == "postgresql":
        if postgresql.strip():
            db.executescript(postgresql)
    else:
        db.executescript(sqlite)


_INITIAL_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Per-guild settings (/newsdesk settings).
CREATE TABLE guilds (
    id INTEGER PRIMARY KEY,
    moderator_role_id INTEGER,
    alert_channel_id INTEGER,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    merge_stories INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A feed is a URL and its fetch state, fetched once however many sources follow it.
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    site_url TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    interval_seconds INTEGER NOT NULL,
    next_due_at TEXT NOT NULL,
    last_polled_at TEXT,
    last_ok_at TEXT,
    failing_since TEXT,
    failure_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    not_found_since TEXT,
    gone_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX feeds_next_due ON feeds (next_due_at);

CREATE TABLE feed_errors (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    status INTEGER,
    message TEXT NOT NULL
);
CREATE INDEX feed_errors_feed ON feed_errors (feed_id, id);

-- A source is one guild's subscription to a feed.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    feed_id INTEGER NOT NULL REFERENCES feeds (id),
    channel_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    include_keywords TEXT NOT NULL DEFAULT '',
    exclude_keywords TEXT NOT NULL DEFAULT '',
    style TEXT NOT NULL DEFAULT 'brief',
    fulltext INTEGER NOT NULL DEFAULT 0,
    paused_at TEXT,
    pause_reason TEXT,
    channel_error TEXT,
    alerted_failing INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX sources_guild_feed ON sources (guild_id, feed_id) WHERE removed_at IS NULL;
CREATE INDEX sources_feed ON sources (feed_id);

-- Every item ever seen, once per feed; identity is (feed_id, key).
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds (id),
    key TEXT NOT NULL,
    guid TEXT,
    title TEXT NOT NULL DEFAULT '',
    url TEXT,
    summary TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    author TEXT,
    image_url TEXT,
    published_at TEXT,
    first_seen_at TEXT NOT NULL,
    brief_json TEXT,
    brief_text TEXT NOT NULL DEFAULT '',
    UNIQUE (feed_id, key)
);
CREATE INDEX items_feed_published ON items (feed_id, published_at);
CREATE INDEX items_first_seen ON items (first_seen_at);

CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, summary, brief_text,
    content = 'items', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, summary, brief_text)
    VALUES (new.id, new.title, new.summary, new.brief_text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, brief_text)
    VALUES ('delete', old.id, old.title, old.summary, old.brief_text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, brief_text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, brief_text)
    VALUES ('delete', old.id, old.title, old.summary, old.brief_text);
    INSERT INTO items_fts (rowid, title, summary, brief_text)
    VALUES (new.id, new.title, new.summary, new.brief_text);
END;

-- One story per guild groups the items that report the same event (issue: clustering).
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    first_delivery_id INTEGER,
    created_at TEXT NOT NULL,
    last_item_at TEXT NOT NULL
);
CREATE INDEX stories_guild ON stories (guild_id, last_item_at);

-- The outbox: one row per (item, source), written with the item.
-- state: pending, sent, failed, skipped (first sight), filtered, merged, digest.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    source_id INTEGER NOT NULL REFERENCES sources (id),
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    story_id INTEGER REFERENCES stories (id),
    message_id INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (item_id, source_id)
);
CREATE INDEX deliveries_pending ON deliveries (state, channel_id, id);
CREATE INDEX deliveries_source ON deliveries (source_id, id);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (guild_id, user_id, keywords)
);

-- Matches waiting to be sent to a member by DM, batched.
CREATE TABLE follow_notifications (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items (id),
    state TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (guild_id, user_id, item_id)
);

CREATE TABLE members (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    dms_closed_at TEXT,
    last_dm_at TEXT,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE digests (
    guild_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    time TEXT NOT NULL,
    frequency TEXT NOT NULL,
    timezone TEXT NOT NULL,
    last_sent_at TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE digest_entries (
    guild_id INTEGER NOT NULL,
    story_key TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, story_key)
);

-- Every moderator change: who, what, when, before, after.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    before_json TEXT,
    after_json TEXT,
    at TEXT NOT NULL
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
);
"""


# The same tables on PostgreSQL. FTS5's index is a weighted tsvector column (title A,
# summary B, brief C; the article text joins as D in 0002) with a GIN index.
_INITIAL_SCHEMA_PG = """
CREATE TABLE meta (
    key text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

CREATE TABLE guilds (
    id BIGINT PRIMARY KEY,
    moderator_role_id BIGINT,
    alert_channel_id BIGINT,
    timezone text COLLATE "C" NOT NULL DEFAULT 'UTC',
    merge_stories INTEGER NOT NULL DEFAULT 1,
    created_at text COLLATE "C" NOT NULL
);

CREATE TABLE feeds (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    url text COLLATE "C" NOT NULL UNIQUE,
    title text COLLATE "C" NOT NULL DEFAULT '',
    site_url text COLLATE "C",
    etag text COLLATE "C",
    last_modified text COLLATE "C",
    body_hash text COLLATE "C",
    interval_seconds INTEGER NOT NULL,
    next_due_at text COLLATE "C" NOT NULL,
    last_polled_at text COLLATE "C",
    last_ok_at text COLLATE "C",
    failing_since text COLLATE "C",
    failure_count INTEGER NOT NULL DEFAULT 0,
    last_error text COLLATE "C",
    not_found_since text COLLATE "C",
    gone_at text COLLATE "C",
    created_at text COLLATE "C" NOT NULL
);
CREATE INDEX feeds_next_due ON feeds (next_due_at);

CREATE TABLE feed_errors (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    feed_id BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    at text COLLATE "C" NOT NULL,
    status INTEGER,
    message text COLLATE "C" NOT NULL
);
CREATE INDEX feed_errors_feed ON feed_errors (feed_id, id);

CREATE TABLE sources (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    feed_id BIGINT NOT NULL REFERENCES feeds (id),
    channel_id BIGINT NOT NULL,
    name text COLLATE "C" NOT NULL,
    interval_seconds INTEGER NOT NULL,
    include_keywords text COLLATE "C" NOT NULL DEFAULT '',
    exclude_keywords text COLLATE "C" NOT NULL DEFAULT '',
    style text COLLATE "C" NOT NULL DEFAULT 'brief',
    fulltext INTEGER NOT NULL DEFAULT 0,
    paused_at text COLLATE "C",
    pause_reason text COLLATE "C",
    channel_error text COLLATE "C",
    alerted_failing INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT,
    created_at text COLLATE "C" NOT NULL,
    removed_at text COLLATE "C"
);
CREATE UNIQUE INDEX sources_guild_feed ON sources (guild_id, feed_id) WHERE removed_at IS NULL;
CREATE INDEX sources_feed ON sources (feed_id);

CREATE TABLE items (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    feed_id BIGINT NOT NULL REFERENCES feeds (id),
    key text COLLATE "C" NOT NULL,
    guid text COLLATE "C",
    title text COLLATE "C" NOT NULL DEFAULT '',
    url text COLLATE "C",
    summary text COLLATE "C" NOT NULL DEFAULT '',
    content text COLLATE "C" NOT NULL DEFAULT '',
    author text COLLATE "C",
    image_url text COLLATE "C",
    published_at text COLLATE "C",
    first_seen_at text COLLATE "C" NOT NULL,
    brief_json text COLLATE "C",
    brief_text text COLLATE "C" NOT NULL DEFAULT '',
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', brief_text), 'C')) STORED,
    UNIQUE (feed_id, key)
);
CREATE INDEX items_feed_published ON items (feed_id, published_at);
CREATE INDEX items_first_seen ON items (first_seen_at);
CREATE INDEX items_search ON items USING GIN (search);

CREATE TABLE stories (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    first_delivery_id BIGINT,
    created_at text COLLATE "C" NOT NULL,
    last_item_at text COLLATE "C" NOT NULL
);
CREATE INDEX stories_guild ON stories (guild_id, last_item_at);

CREATE TABLE deliveries (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES items (id),
    source_id BIGINT NOT NULL REFERENCES sources (id),
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    state text COLLATE "C" NOT NULL,
    reason text COLLATE "C",
    story_id BIGINT REFERENCES stories (id),
    message_id BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at text COLLATE "C",
    last_error text COLLATE "C",
    created_at text COLLATE "C" NOT NULL,
    sent_at text COLLATE "C",
    UNIQUE (item_id, source_id)
);
CREATE INDEX deliveries_pending ON deliveries (state, channel_id, id);
CREATE INDEX deliveries_source ON deliveries (source_id, id);

CREATE TABLE follows (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    keywords text COLLATE "C" NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    UNIQUE (guild_id, user_id, keywords)
);

CREATE TABLE follow_notifications (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    state text COLLATE "C" NOT NULL DEFAULT 'pending',
    created_at text COLLATE "C" NOT NULL,
    sent_at text COLLATE "C",
    UNIQUE (guild_id, user_id, item_id)
);

CREATE TABLE members (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    dms_closed_at text COLLATE "C",
    last_dm_at text COLLATE "C",
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE digests (
    guild_id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    time text COLLATE "C" NOT NULL,
    frequency text COLLATE "C" NOT NULL,
    timezone text COLLATE "C" NOT NULL,
    last_sent_at text COLLATE "C",
    created_at text COLLATE "C" NOT NULL
);
CREATE TABLE digest_entries (
    guild_id BIGINT NOT NULL,
    story_key text COLLATE "C" NOT NULL,
    sent_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (guild_id, story_key)
);

CREATE TABLE audit_log (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    action text COLLATE "C" NOT NULL,
    target text COLLATE "C",
    before_json text COLLATE "C",
    after_json text COLLATE "C",
    at text COLLATE "C" NOT NULL
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);

CREATE TABLE counters (
    name text COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL DEFAULT 0
);
"""


def _initial_schema(db: Database) -> None:
    _script(db, _INITIAL_SCHEMA, _INITIAL_SCHEMA_PG)


# Search covers the article text too, and follows get their indexes and outbox columns.
_SEARCH_AND_FOLLOWS = """
DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, summary, brief_text, content,
    content = 'items', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, summary, brief_text, content)
    VALUES (new.id, new.title, new.summary, new.brief_text, new.content);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, brief_text, content)
    VALUES ('delete', old.id, old.title, old.summary, old.brief_text, old.content);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, brief_text, content ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, brief_text, content)
    VALUES ('delete', old.id, old.title, old.summary, old.brief_text, old.content);
    INSERT INTO items_fts (rowid, title, summary, brief_text, content)
    VALUES (new.id, new.title, new.summary, new.brief_text, new.content);
END;
INSERT INTO items_fts (items_fts) VALUES ('rebuild');

-- Which follow matched (shown in the DM; lets unfollow withdraw what is still waiting).
ALTER TABLE follow_notifications ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
CREATE INDEX follow_notifications_state
    ON follow_notifications (state, guild_id, user_id, id);
CREATE INDEX IF NOT EXISTS deliveries_story_guild
    ON deliveries (story_id, guild_id) WHERE story_id IS NOT NULL;

-- Follows notify about items stored from now on, not about the archive already there.
INSERT INTO meta (key, value)
    SELECT 'follows_cursor', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM items
    WHERE true
    ON CONFLICT (key) DO NOTHING;
"""

_SEARCH_AND_FOLLOWS_PG = """
ALTER TABLE items DROP COLUMN search;
ALTER TABLE items ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', summary), 'B')
    || setweight(to_tsvector('english', brief_text), 'C')
    || setweight(to_tsvector('english', content), 'D')) STORED;
CREATE INDEX items_search ON items USING GIN (search);

ALTER TABLE follow_notifications ADD COLUMN keywords text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX follow_notifications_state
    ON follow_notifications (state, guild_id, user_id, id);
CREATE INDEX IF NOT EXISTS deliveries_story_guild
    ON deliveries (story_id, guild_id) WHERE story_id IS NOT NULL;

INSERT INTO meta (key, value)
    SELECT 'follows_cursor', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM items
    ON CONFLICT (key) DO NOTHING;
"""


def _search_and_follows(db: Database) -> None:
    _script(db, _SEARCH_AND_FOLLOWS, _SEARCH_AND_FOLLOWS_PG)


_STORY_CLUSTERS = """
-- A compact text fingerprint per item (bot/cluster.py), made once when first needed.
ALTER TABLE items ADD COLUMN fingerprint TEXT;
-- The first post of a story is edited when later sources join it.
ALTER TABLE stories ADD COLUMN needs_edit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_story ON deliveries (story_id);
CREATE INDEX deliveries_guild ON deliveries (guild_id, id);
"""

_STORY_CLUSTERS_PG = """
ALTER TABLE items ADD COLUMN fingerprint text COLLATE "C";
ALTER TABLE stories ADD COLUMN needs_edit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_story ON deliveries (story_id);
CREATE INDEX deliveries_guild ON deliveries (guild_id, id);
"""


def _story_clusters(db: Database) -> None:
    _script(db, _STORY_CLUSTERS, _STORY_CLUSTERS_PG)


# Items are added to the search index by ItemStore, one statement per stored batch: the
# per-row trigger made storing 1.7x slower (docs/performance.md). Updates and deletes
# still go through triggers. FTS5 merges segments less eagerly (automerge 16, not 4) and
# writes 4 KB leaves: storing costs 19-40% less CPU, search measured the same.
_FTS_INDEXED_IN_BATCHES = """
DROP TRIGGER items_fts_insert;
INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);
INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 4000);
"""


def _fts_indexed_in_batches(db: Database) -> None:
    # PostgreSQL computes the tsvector column as a row is written: nothing to change.
    _script(db, _FTS_INDEXED_IN_BATCHES, "")


# How long each feed's last good answer took: a batch of due feeds starts with the slowest,
# so a feed that takes seconds to answer does not start last and hold up the batch's end.
_FEED_ANSWER_TIME = """
ALTER TABLE feeds ADD COLUMN answer_ms INTEGER;
"""


def _feed_answer_time(db: Database) -> None:
    _script(db, _FEED_ANSWER_TIME, "ALTER TABLE feeds ADD COLUMN answer_ms BIGINT;")


# /source list counts each source's posts and finds its last one: through deliveries_source
# it read every delivery row, 1.5 s for 2,000 sources and 530,000 deliveries; from this
# index alone 85 ms (MAX(sent_at) is one seek). The stories whose first post waits for an
# edit, looked for after every delivery drain, are found without reading every story
# (3 ms at 50,000 stories -> 0.1 ms).
_DELIVERY_STATUS_INDEXES = """
CREATE INDEX deliveries_source_sent ON deliveries (source_id, sent_at, state);
CREATE INDEX stories_needs_edit ON stories (id) WHERE needs_edit = 1;
"""


def _delivery_status_indexes(db: Database) -> None:
    _script(db, _DELIVERY_STATUS_INDEXES, _DELIVERY_STATUS_INDEXES)  # the same on both


# Moderators coming from other feed bots: regular-expression filters (run by RE2, linear
# time), and one role mentioned when an item matches keywords.
_SOURCE_PATTERNS_AND_PINGS = """
ALTER TABLE sources ADD COLUMN include_regex TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN exclude_regex TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN ping_role_id INTEGER;
ALTER TABLE sources ADD COLUMN ping_keywords TEXT NOT NULL DEFAULT '';
"""


_SOURCE_PATTERNS_AND_PINGS_PG = """
ALTER TABLE sources ADD COLUMN include_regex TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN exclude_regex TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN ping_role_id BIGINT;
ALTER TABLE sources ADD COLUMN ping_keywords TEXT COLLATE "C" NOT NULL DEFAULT '';
"""


def _source_patterns_and_pings(db: Database) -> None:
    _script(db, _SOURCE_PATTERNS_AND_PINGS, _SOURCE_PATTERNS_AND_PINGS_PG)


# Moderators coming from other feed bots (#22): a source is a feed in a channel, so one
# server may send the same feed to #news and #tech, each with its own style and filters; a
# source may have a message template, an embed colour and no image, and may post through a
# channel webhook under its own name (a webhook post is marked tried before it goes out, as
# webhooks have no nonce), may tag its forum posts or open a thread on each post; items keep
# their categories (for templates and forum tags).
_CHANNELS_TEMPLATES_CATEGORIES = """
DROP INDEX sources_guild_feed;
CREATE UNIQUE INDEX sources_guild_feed_channel ON sources (guild_id, feed_id, channel_id)
    WHERE removed_at IS NULL;
ALTER TABLE sources ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN embed_color INTEGER;
ALTER TABLE sources ADD COLUMN show_image INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN categories TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN webhook_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN webhook_avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN tried_at TEXT;
ALTER TABLE sources ADD COLUMN forum_tag TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN open_threads INTEGER NOT NULL DEFAULT 0;
"""
_CHANNELS_TEMPLATES_CATEGORIES_PG = """
DROP INDEX sources_guild_feed;
CREATE UNIQUE INDEX sources_guild_feed_channel ON sources (guild_id, feed_id, channel_id)
    WHERE removed_at IS NULL;
ALTER TABLE sources ADD COLUMN template TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN embed_color INTEGER;
ALTER TABLE sources ADD COLUMN show_image INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN categories TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN webhook_name TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN webhook_avatar TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN tried_at TEXT COLLATE "C";
ALTER TABLE sources ADD COLUMN forum_tag TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN open_threads INTEGER NOT NULL DEFAULT 0;
"""


def _channels_templates_categories(db: Database) -> None:
    _script(db, _CHANNELS_TEMPLATES_CATEGORIES, _CHANNELS_TEMPLATES_CATEGORIES_PG)


MIGRATIONS: list[Migration] = [
    ("0001_initial_schema", _initial_schema),
    ("0002_search_and_follows", _search_and_follows),
    ("0003_story_clusters", _story_clusters),
    ("0004_fts_indexed_in_batches", _fts_indexed_in_batches),
    ("0005_feed_answer_time", _feed_answer_time),
    ("0006_delivery_status_indexes", _delivery_status_indexes),
    ("0007_source_patterns_and_pings", _source_patterns_and_pings),
    ("0008_channels_templates_categories", _channels_templates_categories),
]


def migrate(db: Database, migrations: list[Migration] = MIGRATIONS) -> list[str]:
    """Apply every migration not yet recorded, in order; return the names applied.

    Raises StorageError on a database error; a failed migration leaves no trace.
    """
    with driver_errors():
        if db.dialect != "postgresql":
            return _apply(db, migrations)
        db.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
        try:
            return _apply(db, migrations)
        finally:
            db.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])


def _apply(db: Database, migrations: list[Migration]) -> list[str]:
    applied: list[str] = []
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row["name"] for row in db.query("SELECT name FROM _migrations")}
    for name, step in migrations:
        if name in done:
            continue
        with db.atomic():
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, to_db(datetime.now(UTC))],
            )
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def pending(db: Database, migrations: list[Migration] = MIGRATIONS) -> list[str]:
    """Names of migrations not yet applied (for `newsdesk check`)."""
    with driver_errors():
        if "_migrations" not in db.table_names():
            return [name for name, _ in migrations]
        done = {row["name"] for row in db.query("SELECT name FROM _migrations")}
    return [name for name, _ in migrations if name not in done]
