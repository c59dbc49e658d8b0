"""Shared fixtures: the local Discord emulator, the local feed server, a PostgreSQL server."""

pytest_plugins = [
    "tests.discord_emulator.fixtures",
    "tests.feed_server_fixtures",
    "tests.storage.postgres",
]
