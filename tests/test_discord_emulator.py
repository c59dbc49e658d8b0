"""The Discord emulator, proven with a plain in-process discord.py `commands.Bot`."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from tests.discord_emulator import Channel, DiscordEmulator, Guild, Member

TOKEN = "test-token"
MANAGE_GUILD = 0x20
SOURCES = ["abc news", "abstract wire", "beta times", *[f"ab-{i}" for i in range(40)]]


@dataclass
class Probe:
    """What the test bot saw, for assertions the emulator cannot make."""

    late_errors: asyncio.Queue[discord.HTTPException] = field(default_factory=asyncio.Queue)
    resolved: dict[str, object] = field(default_factory=dict)


def make_bot(guild_id: int, probe: Probe) -> commands.Bot:
    intents = discord.Intents.default()
    intents.members = True  # privileged on Discord; the emulator grants it
    bot = commands.Bot(
        command_prefix="!",
        intents=intents,
        guild_ready_timeout=0.1,
        allowed_mentions=discord.AllowedMentions.none(),
    )

    feeds = app_commands.Group(name="feeds", description="Feeds")

    @feeds.command(name="status", description="Show status")
    async def status(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("All good", ephemeral=True)

    @feeds.command(name="slow", description="Deferred work")
    @app_commands.describe(count="How many")
    async def slow(interaction: discord.Interaction, count: int = 1) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        embed = discord.Embed(title="Report", description=f"done {count}")
        await interaction.followup.send(embed=embed, ephemeral=True)

    @feeds.command(name="work", description="Deferred, edited, then reports in the background")
    @app_commands.describe(count="How many reports")
    async def work(interaction: discord.Interaction, count: int) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.edit_original_response(content="working")

        async def report() -> None:
            for i in range(count):
                await interaction.followup.send(f"report {i}", ephemeral=True)

        asyncio.get_running_loop().create_task(report())

    @feeds.command(name="remove", description="Remove a source")
    @app_commands.describe(source="The source")
    async def remove(interaction: discord.Interaction, source: str) -> None:
        await interaction.response.send_message(f"removed {source}", ephemeral=True)

    @remove.autocomplete("source")
    async def remove_source(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = [s for s in SOURCES if s.startswith(current)]
        return [app_commands.Choice(name=s, value=s) for s in found[:25]]

    @feeds.command(name="late", description="Answers after the deadline")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(3.2)  # the point of this command: miss Discord's 3 s window
        try:
            await interaction.response.send_message("too late")
        except discord.HTTPException as exc:
            probe.late_errors.put_nowait(exc)

    @feeds.command(name="export", description="Send a file")
    async def export(interaction: discord.Interaction) -> None:
        file = discord.File(io.BytesIO(b"<opml/>"), filename="feeds.opml")
        await interaction.response.send_message("here", file=file)

    admin = app_commands.Group(name="admin", description="Admin")
    config = app_commands.Group(name="config", description="Config", parent=admin)

    @config.command(name="set", description="Set things")
    @app_commands.describe(
        channel="c", role="r", user="u", flag="f", ratio="n", file="a", label="s"
    )
    async def config_set(
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        role: discord.Role,
        user: discord.Member,
        flag: bool,
        ratio: float,
        file: discord.Attachment,
        label: str | None = None,
    ) -> None:
        data = await file.read()
        probe.resolved.update(
            channel=channel.id, role=role.id, user=user.id, flag=flag, ratio=ratio, label=label,
            perms=interaction.permissions.manage_guild,
        )  # fmt: skip
        echo = discord.File(io.BytesIO(data.upper()), filename="echo.txt")
        await interaction.response.send_message(f"set {file.filename}", file=echo)

    bot.tree.add_command(feeds)
    bot.tree.add_command(admin, guild=discord.Object(guild_id))

    async def setup_hook() -> None:
        await bot.tree.sync()
        await bot.tree.sync(guild=discord.Object(guild_id))

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


@dataclass
class World:
    emu: DiscordEmulator
    bot: commands.Bot
    probe: Probe
    guild: Guild
    news: Channel
    mod: Member
    reader: Member


@pytest.fixture
async def world(discord_emulator: DiscordEmulator) -> AsyncIterator[World]:
    emu = discord_emulator
    guild = emu.add_guild("Guild A")
    news = emu.add_text_channel(guild.id, "news")
    mods = emu.add_role(guild.id, "Mods", permissions=0)
    mod = emu.add_member(guild.id, "alice", permissions=MANAGE_GUILD, roles=[mods.id])
    reader = emu.add_member(guild.id, "bob")
    old_base, old_gateway = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    discord.http.Route.BASE = emu.api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    probe = Probe()
    bot = make_bot(guild.id, probe)
    runner = asyncio.create_task(bot.start(TOKEN))
    try:
        await emu.wait_until_ready(timeout=10)
        await emu.wait_for(lambda: len(emu.command_registrations) >= 2 or runner.done(), 10)
        assert not runner.done(), runner
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield World(emu, bot, probe, guild, news, mod, reader)
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 5)
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def channel_of(w: World, channel: Channel) -> discord.TextChannel:
    found = w.bot.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


async def test_connect_ready_and_guild_cache(world: World) -> None:
    w = world
    assert w.bot.user is not None and w.bot.user.id == w.emu.bot_user_id
    assert w.bot.application_id == w.emu.application_id
    guild = w.bot.get_guild(w.guild.id)
    assert guild is not None and guild.name == "Guild A"
    assert guild.me.guild_permissions.administrator
    assert channel_of(w, w.news).name == "news"
    alice = guild.get_member(w.mod.id)
    assert alice is not None and alice.guild_permissions.manage_guild
    assert w.emu.stats["identifies"] == 1 and w.emu.stats["GET /users/@me"] == 1
    # A channel added while connected arrives as CHANNEL_CREATE.
    extra = w.emu.add_text_channel(w.guild.id, "extra")
    await w.emu.wait_for(lambda: w.bot.get_channel(extra.id) is not None, 5)


async def test_command_sync_is_recorded(world: World) -> None:
    emu = world.emu
    assert [r.scope for r in emu.command_registrations] == ["global", world.guild.id]
    assert {c["name"] for c in emu.commands()} == {"feeds"}
    assert {c["name"] for c in emu.commands(guild_id=world.guild.id)} == {"admin"}
    feeds = emu.commands()[0]
    assert {o["name"] for o in feeds["options"]} >= {"status", "slow", "remove"}
    assert emu.stats["PUT /applications/{application_id}/commands"] == 1


async def test_slash_command_answered_ephemeral(world: World) -> None:
    w = world
    r = await w.emu.slash(w.guild, w.news, w.mod, "feeds status")
    assert r.callback_type == 4
    assert r.ephemeral and r.content == "All good" and r.text == "All good"
    assert r.elapsed_ack < 3
    assert w.emu.messages(w.news) == []  # interaction replies are not channel posts
    with pytest.raises(AssertionError, match="unknown option"):
        await w.emu.slash(w.guild, w.news, w.mod, "feeds status", options={"nope": 1})
    with pytest.raises(AssertionError, match="no registered command"):
        await w.emu.slash(w.guild, w.news, w.mod, "missing")


async def test_deferred_command_with_follow_up(world: World) -> None:
    w = world
    r = await w.emu.slash(w.guild.id, w.news.id, w.mod.id, "feeds slow", options={"count": 3})
    assert r.callback_type == 5
    assert r.ephemeral
    assert "Report" in r.text and "done 3" in r.text
    assert len(await r.wait_followups(1, timeout=5)) == 1


async def test_deferred_edit_then_background_follow_ups(world: World) -> None:
    w = world
    r = await w.emu.slash(w.guild, w.news, w.mod, "feeds work", options={"count": 2})
    assert r.callback_type == 5 and r.content == "working" and r.ephemeral
    followups = await r.wait_followups(2, timeout=5)
    assert [f["content"] for f in followups] == ["report 0", "report 1"]
    assert r.text == "working\nreport 0\nreport 1"


async def test_options_resolved_and_files(world: World) -> None:
    w = world
    role = w.emu.add_role(w.guild.id, "Readers")
    r = await w.emu.slash(
        w.guild, w.news, w.mod, "admin config set",
        options={"channel": w.news.id, "role": role, "user": w.reader, "flag": True,
                 "ratio": 0.5},
        attachments={"file": ("feeds.opml", b"<opml/>")},
    )  # fmt: skip
    assert r.content == "set feeds.opml" and not r.ephemeral
    assert r.files == [("echo.txt", b"<OPML/>")]
    assert w.probe.resolved == {
        "channel": w.news.id, "role": role.id, "user": w.reader.id, "flag": True,
        "ratio": 0.5, "label": None, "perms": True,
    }  # fmt: skip
    r = await w.emu.slash(w.guild, w.news, w.mod, "feeds export")
    assert r.files == [("feeds.opml", b"<opml/>")] and r.message is not None
    assert r.message["attachments"][0]["filename"] == "feeds.opml"


async def test_autocomplete_choices(world: World) -> None:
    w = world
    choices = await w.emu.autocomplete(
        w.guild, w.news, w.mod, "feeds remove", options={"source": "ab"}, focused="source"
    )
    assert len(choices) == 25
    assert choices[0] == {"name": "abc news", "value": "abc news"}


async def test_message_post_and_nonce_dedupe(world: World) -> None:
    w = world
    channel = channel_of(w, w.news)
    first = await channel.send("hello", nonce="delivery-1")
    again = await channel.send("hello", nonce="delivery-1")
    assert first.id == again.id
    (message,) = await w.emu.wait_for_messages(w.news, 1)
    assert message.content == "hello" and message.nonce == "delivery-1"
    assert message.author_id == w.emu.bot_user_id
    assert message.allowed_mentions == {"parse": []}
    assert w.emu.stats["nonce_dedupes"] == 1
    await first.edit(content="edited")
    assert w.emu.messages(w.news)[0].edits == 1
    await channel.send("other", nonce="delivery-2")
    assert [m.content for m in w.emu.messages(w.news)] == ["edited", "other"]


async def test_over_limit_embed_is_rejected_and_recorded(world: World) -> None:
    w = world
    channel = channel_of(w, w.news)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embed=discord.Embed(title="x" * 257))
    assert caught.value.status == 400 and caught.value.code == 50035
    ((method, path, errors),) = w.emu.invalid_bodies
    assert method == "POST" and path.endswith(f"/channels/{w.news.id}/messages")
    assert "title" in errors["embeds"]["0"]
    w.emu.invalid_bodies.clear()
    big = [discord.Embed(description="y" * 4000) for _ in range(2)]
    with pytest.raises(discord.HTTPException):
        await channel.send(embeds=big)  # 8,000 characters across embeds
    assert "embeds" in w.emu.invalid_bodies[0][2]
    w.emu.invalid_bodies.clear()
    assert w.emu.messages(w.news) == []


async def test_429_then_success(world: World) -> None:
    w = world
    w.emu.faults.rest(
        status=429, retry_after=0.3, count=1, method="POST", path_contains="/messages"
    )
    message = await channel_of(w, w.news).send("after the limit")
    assert w.emu.stats["POST /channels/{channel_id}/messages"] == 2
    assert [m.id for m in w.emu.messages(w.news)] == [message.id]
    w.emu.faults.rest(status=429, retry_after=0.1, global_=True, path_contains="/messages")
    w.emu.faults.rest(delay=0.2, method="POST", path_contains="/messages")
    started = asyncio.get_running_loop().time()
    await channel_of(w, w.news).send("slowly")
    assert asyncio.get_running_loop().time() - started >= 0.3
    assert w.emu.faults.pending == 0


async def test_503_then_success(world: World) -> None:
    w = world
    w.emu.faults.rest(status=503, count=1, method="POST", path_contains="/callback")
    r = await w.emu.slash(w.guild, w.news, w.mod, "feeds status")
    assert r.content == "All good"
    assert 1 <= r.elapsed_ack < 3  # discord.py's webhook adapter retried after 1 s
    assert w.emu.stats["faults_injected"] == 1


async def test_gateway_reconnect_and_drop_resume(world: World) -> None:
    w = world
    emu = w.emu
    assert await emu.gateway_reconnect() == 1
    await emu.wait_for(lambda: emu.stats["resumes"] >= 1, 10)
    assert (await emu.slash(w.guild, w.news, w.mod, "feeds status")).content == "All good"

    assert await emu.gateway_drop() == 1
    later = emu.add_text_channel(w.guild.id, "while-away")  # replayed or delivered live
    await emu.wait_for(lambda: emu.stats["resumes"] >= 2, 10)
    assert (await emu.slash(w.guild, w.news, w.mod, "feeds status")).content == "All good"
    await emu.wait_for(lambda: w.bot.get_channel(later.id) is not None, 5)
    assert emu.stats["identifies"] == 1


async def test_invalid_session_makes_the_client_identify_again(world: World) -> None:
    emu = world.emu
    await emu.gateway_invalidate(resumable=False)
    await emu.wait_for(lambda: emu.stats["identifies"] == 2, 10)
    await emu.wait_until_ready(timeout=5)
    r = await emu.slash(world.guild, world.news, world.mod, "feeds status")
    assert r.content == "All good"


async def test_answer_after_three_seconds_gets_10062(world: World) -> None:
    w = world
    r = w.emu.slash_nowait(w.guild, w.news, w.mod, "feeds late")
    error = await asyncio.wait_for(w.probe.late_errors.get(), 10)
    assert error.status == 404 and error.code == 10062
    assert r.record.late_callbacks == 1 and r.callback_type is None


async def test_dm_send_and_closed_dms(world: World) -> None:
    w = world
    user = await w.bot.fetch_user(w.reader.id)
    await user.send("hi there")
    assert [m.content for m in w.emu.dm_messages(w.reader.id)] == ["hi there"]
    w.emu.close_dms(w.reader.id)
    with pytest.raises(discord.Forbidden) as caught:
        await user.send("again")
    assert caught.value.code == 50007
    assert len(w.emu.dm_messages(w.reader.id)) == 1


async def test_deleted_and_forbidden_channels(world: World) -> None:
    w = world
    gone = w.emu.add_text_channel(w.guild.id, "gone")
    locked = w.emu.add_text_channel(w.guild.id, "locked")
    await w.emu.wait_for(lambda: w.bot.get_channel(locked.id) is not None, 5)
    gone_channel, locked_channel = channel_of(w, gone), channel_of(w, locked)
    w.emu.delete_channel(gone.id)
    w.emu.forbid_channel(locked.id)
    with pytest.raises(discord.NotFound) as not_found:
        await gone_channel.send("anyone?")
    assert not_found.value.code == 10003
    with pytest.raises(discord.Forbidden) as forbidden:
        await locked_channel.send("let me in")
    assert forbidden.value.code == 50013
    await w.emu.wait_for(lambda: w.bot.get_channel(gone.id) is None, 5)  # CHANNEL_DELETE


async def test_unknown_routes_and_bad_tokens_are_visible(world: World) -> None:
    w = world
    with pytest.raises(discord.NotFound):
        await w.bot.http.request(discord.http.Route("GET", "/no/such/route"))
    assert w.emu.stats["unknown_routes"] == 1
    assert w.emu.unknown_routes == [("GET", "/api/v10/no/such/route")]
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{w.emu.api_url}/users/@me", headers={"Authorization": "Bot wrong"}
        ) as response,
    ):
        assert response.status == 401
        assert response.headers["Content-Type"] == "application/json"
