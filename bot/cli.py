"""The `newsdesk` command line: run, check, poll, sources import/export, sync-commands."""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from bot import __version__
from bot.errors import ConfigError, NewsdeskError, NotFound, explain
from bot.logs import setup_logging
from bot.services.opml import OpmlFeed, read_opml
from bot.settings import Settings
from storage.errors import StoreError

# The app, storage and discord.py are imported by the verbs that use them: every command
# (and every parser process, which imports this module again) starts faster.

log = logging.getLogger(__name__)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for problem in settings_problems(exc):
            err.print(f"[red]✗[/] {problem}", highlight=False)
        raise SystemExit(2) from None


def settings_problems(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        variable = "DISCORD_TOKEN" if field == "DISCORD_TOKEN" else f"NEWSDESK_{field.upper()}"
        problems.append(f"{variable} is invalid: {error['msg']}.")
    return problems


# --- check -------------------------------------------------------------------------------


def database_problem(path: Path) -> str | None:
    """One sentence on why the database cannot be used, or None."""
    folder = path.resolve().parent
    if not folder.is_dir():
        return f"The database folder {folder} does not exist (NEWSDESK_DATABASE={path})."
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return f"The database file {path} is not readable and writable by this user."
        return None
    # Permission bits say little for root or read-only mounts: try to create a file.
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return f"The database folder {folder} is not writable, so {path.name} cannot be created."
    return None


def cmd_check(_: argparse.Namespace) -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = settings_problems(exc)
    else:
        problems = [*_database_problems(settings), *_install_problems()]
        token = settings.token()
        if not token:
            problems.append(
                "DISCORD_TOKEN is not set: put the bot token in .env or the environment."
            )
        else:
            problems.extend(asyncio.run(_discord_problems(settings, token)))
    for problem in problems:
        err.print(f"[red]✗[/] {problem}", highlight=False)
    if problems:
        return 1
    out.print("[green]✓[/] Configuration, database and token are fine.")
    return 0


def _database_problems(settings: Settings) -> list[str]:
    problem = database_problem(settings.database)
    if problem:
        return [problem]
    if not settings.database.exists():
        return []
    from storage import Storage
    from storage.migrations import pending

    try:
        storage = Storage(settings.database, run_migrations=False)
        try:
            waiting = pending(storage.db)
            if waiting:
                out.print(f"• {len(waiting)} migration(s) will run at the next start.")
            if not storage.integrity_ok():
                return [f"The database {settings.database} failed its integrity check."]
        finally:
            storage.close()
    except StoreError as exc:
        return [str(exc)]
    return []


def _install_problems() -> list[str]:
    from bot.pipeline.article import fulltext_unavailable

    problem = fulltext_unavailable()
    return [f"{problem[0].upper()}{problem[1:]}."] if problem else []


async def _discord_problems(settings: Settings, token: str) -> list[str]:
    """Ask Discord who the token belongs to; say how to invite the bot."""
    import aiohttp

    from bot.shell.identity import bot_identity, invite_url

    try:
        name, application_id = await bot_identity(settings, token)
    except ConfigError as exc:
        return [exc.user_message]
    except (OSError, aiohttp.ClientError, TimeoutError) as exc:
        out.print(
            f"• Discord could not be reached to check the token ({type(exc).__name__}); "
            "`newsdesk run` will keep trying."
        )
        return []
    out.print(f"• The token belongs to {name} (application {application_id}).")
    out.print(f"• Invite it to a server: {invite_url(application_id)}")
    return []


def cmd_invite(_: argparse.Namespace) -> int:
    """The invite URL; the application id is read from the token (no network needed)."""
    from bot.shell.identity import invite_url

    settings = load_settings()
    application_id = application_id_of(settings.token() or "")
    if application_id is None:
        err.print("[red]✗[/] DISCORD_TOKEN is not set or is not a bot token.")
        return 2
    print(invite_url(application_id))
    return 0


def application_id_of(token: str) -> int | None:
    """A bot token starts with the bot's id in base64: the application id of a bot."""
    head = token.split(".", 1)[0]
    try:
        text = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


# --- run -----------------------------------------------------------------------------------


async def _run(settings: Settings) -> int:
    from bot.shell.runner import run_bot

    token = settings.token()
    if not token:
        err.print(
            "[red]✗[/] DISCORD_TOKEN is not set: put the bot token in .env or the environment."
        )
        return 2
    try:
        await run_bot(settings, token)
    except ConfigError as exc:
        err.print(f"[red]✗[/] {exc.user_message}")
        return 1
    log.info("newsdesk stopped")
    return 0


def cmd_run(_: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level, secrets=_secrets(settings))
    log.info("newsdesk %s starting", __version__)
    return asyncio.run(_run(settings))


async def _sync_commands(settings: Settings, guild_id: int | None) -> int:
    from bot.shell.runner import register_commands

    token = settings.token()
    if not token:
        err.print("[red]✗[/] DISCORD_TOKEN is not set.")
        return 2
    try:
        await register_commands(settings, token, guild_id)
    except ConfigError as exc:
        err.print(f"[red]✗[/] {exc.user_message}")
        return 1
    out.print("[green]✓[/] Slash commands registered.")
    return 0


def cmd_sync_commands(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level, secrets=_secrets(settings))
    return asyncio.run(_sync_commands(settings, args.guild))


# --- poll --------------------------------------------------------------------------------------


async def _poll_once(settings: Settings) -> Counter[str]:
    from bot.app import open_app

    async with open_app(settings) as app:
        counts: Counter[str] = Counter()
        started = time.perf_counter()
        outcomes = await app.poller.poll_once()
        counts["feeds"] = len(outcomes)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                counts["errors"] += 1
                continue
            counts[outcome.status] += 1
            counts["new_items"] += outcome.new_items
            counts["queued"] += outcome.pending
        counts["briefed"] = await app.briefs.brief_waiting(app.clock())
        counts["ms"] = round((time.perf_counter() - started) * 1000)
        return counts


def cmd_poll(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level, secrets=_secrets(settings))
    if not args.once:
        err.print("Only `newsdesk poll --once` exists; `newsdesk run` polls continuously.")
        return 2
    counts = asyncio.run(_poll_once(settings))
    out.print(
        f"polled {counts['feeds']} feed(s): {counts['new']} with new items, "
        f"{counts['unchanged'] + counts['not-modified']} unchanged, {counts['failed']} failed, "
        f"{counts['gone']} gone; {counts['new_items']} new item(s) stored, "
        f"{counts['queued']} delivery(ies) queued, {counts['briefed']} brief(s) made "
        f"in {counts['ms'] / 1000:.2f} s"
    )
    return 0


# --- preview ------------------------------------------------------------------------------


def cmd_preview(args: argparse.Namespace) -> int:
    import json

    from bot.services.preview import make_preview, print_preview

    settings = load_settings()
    setup_logging("WARNING", secrets=_secrets(settings))
    try:
        preview = asyncio.run(make_preview(args.location, settings))
    except OSError as exc:
        err.print(f"[red]✗[/] Cannot read {args.location}: {exc.strerror}.", highlight=False)
        return 1
    except NewsdeskError as exc:
        err.print(f"[red]✗[/] {exc.message}", highlight=False)
        return 1
    if args.json:
        sys.stdout.write(json.dumps(preview.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_preview(preview, Console())
    return 0


# --- sources import / export -------------------------------------------------------------------


# The CLI adds many more feeds at once than /source import: one run, one wait for slow feeds.
IMPORT_CONCURRENCY = 250


class AverageRate(ProgressColumn):
    """Feeds a second over the whole run: steady, where a windowed speed and the time left
    jump with every slow feed."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0
        rate = task.completed / elapsed if elapsed > 0.5 else 0
        return Text(f"{rate:,.0f} feeds/s" if rate else "", style="progress.data.speed")


PROGRESS_COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    AverageRate(),
    TimeElapsedColumn(),
)


async def _import(
    settings: Settings, feeds: list[OpmlFeed], guild: int, channel: int
) -> Counter[str]:
    from bot.app import open_app

    async with open_app(settings) as app:
        with Progress(*PROGRESS_COLUMNS, console=err) as progress:
            task = progress.add_task("Importing feeds", total=len(feeds))

            async def advance(done: int) -> None:
                progress.update(task, completed=done)

            report = await app.sources.import_opml(
                guild,
                channel,
                0,
                feeds,
                advance,
                concurrency=IMPORT_CONCURRENCY,
                for_operator=True,
            )
    for url, reason in report.failed:
        err.print(f"[red]✗[/] {url}: {reason}", highlight=False)
    return Counter(
        added=len(report.added), duplicate=len(report.duplicate), failed=len(report.failed)
    )


def cmd_sources_import(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING", secrets=_secrets(settings))
    # Every file is read before any feed is added: a typo in the last name adds nothing.
    # The files are then imported together, in one run (one start, one wait for slow feeds).
    feeds: list[OpmlFeed] = []
    for file in args.file:
        try:
            feeds.extend(read_opml(Path(file).read_bytes()))
        except OSError as exc:
            err.print(f"[red]✗[/] Cannot read {file}: {exc.strerror}.")
            return 1
        except NewsdeskError as exc:
            err.print(f"[red]✗[/] {file}: {exc.message}")
            return 1
    counts = asyncio.run(_import(settings, feeds, args.guild, args.channel))
    out.print(
        f"{counts['added']} added, {counts['duplicate']} duplicate, {counts['failed']} failed"
    )
    return 0 if not counts["failed"] else 1


async def _export(settings: Settings, guild: int) -> bytes:
    from bot.app import open_app

    async with open_app(settings) as app:
        try:
            return await app.sources.export_opml(guild)
        except NotFound:
            raise NotFound(f"Guild {guild} has no sources.") from None


def cmd_sources_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING", secrets=_secrets(settings))
    try:
        sys.stdout.buffer.write(asyncio.run(_export(settings, args.guild)))
    except (NewsdeskError, StoreError) as exc:
        err.print(f"[red]✗[/] {explain(exc).message}")
        return 1
    return 0


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.token(),
        settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
    ]
    return [v for v in values if v]


IDS_HELP = (
    "Server and channel ids: in Discord, turn on Developer Mode (User Settings > Advanced), "
    "then right-click the server or channel and choose Copy ID."
)
CONFIG_HELP = "Settings come from the environment and a .env file (see .env.example)."


def _verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    func: object,
    epilog: str = CONFIG_HELP,
) -> argparse.ArgumentParser:
    verb = verbs.add_parser(name, help=summary, description=description, epilog=epilog)
    verb.set_defaults(func=func)
    return verb


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="newsdesk",
        description="A Discord newsletter bot: polls news feeds, keeps an archive, posts each "
        "story once as a brief.",
        epilog=f"{CONFIG_HELP} `newsdesk VERB --help` explains each verb.",
    )
    root.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    verbs = root.add_subparsers(dest="verb", required=True, metavar="VERB")
    _verb(
        verbs,
        "run",
        "run the bot",
        "Run the bot: migrate the database, connect to Discord, poll and post until Ctrl-C or "
        "SIGTERM. Needs DISCORD_TOKEN. Exit codes: 0 stopped on request, 1 Discord refused "
        "the token or ended the session, 2 configuration missing or invalid.",
        cmd_run,
    )
    _verb(
        verbs,
        "check",
        "check configuration, database, install and token",
        "Check the configuration, the database file, the install (full-text extraction) and, "
        "when Discord can be reached, the token: prints the bot's name and the invite link. "
        "Exits 1 with one sentence per problem.",
        cmd_check,
    )
    _verb(
        verbs,
        "invite",
        "print the link that invites the bot to a server",
        "Print the OAuth2 link that adds the bot to a server, with exactly the scopes (bot, "
        "applications.commands) and permissions newsdesk uses. Reads the application id from "
        "DISCORD_TOKEN; no network needed.",
        cmd_invite,
    )
    poll = _verb(
        verbs,
        "poll",
        "poll due sources once, without Discord",
        "Poll every due source once, store new items, make their briefs and queue their "
        "posts (the bot posts them when it runs), then print counts.",
        cmd_poll,
    )
    poll.add_argument("--once", action="store_true", help="required: poll once and exit")
    sync = _verb(
        verbs,
        "sync-commands",
        "register the slash commands now",
        "Register the slash commands with Discord now (the bot also does it at start when "
        "they changed).",
        cmd_sync_commands,
        epilog=IDS_HELP,
    )
    sync.add_argument(
        "--guild", type=int, metavar="SERVER_ID", help="register in this server only (instant)"
    )
    preview = _verb(
        verbs,
        "preview",
        "print the brief a feed or article would get",
        "Fetch a feed or an article (or read a file) and print the brief newsdesk would post "
        "for its newest item. Local addresses need NEWSDESK_ALLOW_PRIVATE_HOSTS.",
        cmd_preview,
    )
    preview.add_argument(
        "location",
        metavar="URL_OR_FILE",
        help="a feed or article URL, or a feed, HTML or text file (first line: the title)",
    )
    preview.add_argument("--json", action="store_true", help="print the brief as JSON")
    sources = verbs.add_parser(
        "sources",
        help="import or export a server's sources as OPML",
        description="Import or export a server's sources as OPML.",
        epilog=IDS_HELP,
    )
    source_verbs = sources.add_subparsers(dest="sources_verb", required=True, metavar="ACTION")
    imp = _verb(
        source_verbs,
        "import",
        "add every feed of one or more OPML files",
        "Add every feed of one or more OPML files (at most 500 feeds a file) to a server, "
        "posting to one channel; a feed listed twice counts as a duplicate.",
        cmd_sources_import,
        epilog=IDS_HELP,
    )
    imp.add_argument("file", nargs="+", metavar="FILE.opml", help="OPML files to import")
    imp.add_argument("--guild", type=int, required=True, metavar="SERVER_ID", help="the server")
    imp.add_argument(
        "--channel", type=int, required=True, metavar="CHANNEL_ID", help="where stories post"
    )
    exp = _verb(
        source_verbs,
        "export",
        "print a server's sources as OPML",
        "Print a server's sources as OPML (URL passwords hidden).",
        cmd_sources_export,
        epilog=IDS_HELP,
    )
    exp.add_argument("--guild", type=int, required=True, metavar="SERVER_ID", help="the server")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
