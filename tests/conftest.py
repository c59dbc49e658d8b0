"""Shared fixtures: the local Discord emulator and the local feed server."""

pytest_plugins = ["tests.discord_emulator.fixtures", "tests.feed_server_fixtures"]
