"""The `newsdesk` command line: run, check, poll, sources import/export, sync-commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

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
        settings = None
    else:
        problems = []
    if settings is not None:
        if not settings.token():
            problems.append(
                "DISCORD_TOKEN is not set: put the bot token in .env or the environment."
            )
        problem = database_problem(settings.database)
        if problem:
            problems.append(problem)
        elif settings.database.exists():
            from storage import Storage
            from storage.migrations import pending

            try:
                storage = Storage(settings.database, run_migrations=False)
                if not storage.integrity_ok():
                    problems.append(f"The database {settings.database} failed its integrity check.")
                waiting = pending(storage.db)
                if waiting:
                    out.print(f"• {len(waiting)} migration(s) will run at the next start.")
                storage.close()
            except StoreError as exc:
                problems.append(str(exc))
    for problem in problems:
        err.print(f"[red]✗[/] {problem}", highlight=False)
    if problems:
        return 1
    out.print("[green]✓[/] Configuration and database are fine.")
    return 0


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


async def _import(
    settings: Settings, feeds: list[OpmlFeed], guild: int, channel: int
) -> Counter[str]:
    from bot.app import open_app

    async with open_app(settings) as app:
        with Progress(console=err) as progress:
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
    feeds: dict[str, OpmlFeed] = {}
    repeated = 0
    for file in args.file:
        try:
            for feed in read_opml(Path(file).read_bytes()):
                repeated += feed.url in feeds
                feeds.setdefault(feed.url, feed)
        except OSError as exc:
            err.print(f"[red]✗[/] Cannot read {file}: {exc.strerror}.")
            return 1
        except NewsdeskError as exc:
            err.print(f"[red]✗[/] {file}: {exc.message}")
            return 1
    counts = asyncio.run(_import(settings, list(feeds.values()), args.guild, args.channel))
    counts["duplicate"] += repeated  # listed by an earlier file
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="newsdesk", description="A Discord newsletter bot.")
    root.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    verbs = root.add_subparsers(dest="verb", required=True)
    verbs.add_parser("run", help="run the bot (migrates the database first)").set_defaults(
        func=cmd_run
    )
    verbs.add_parser("check", help="validate configuration and database").set_defaults(
        func=cmd_check
    )
    poll = verbs.add_parser("poll", help="poll due sources without connecting to Discord")
    poll.add_argument("--once", action="store_true", help="poll every due source once and exit")
    poll.set_defaults(func=cmd_poll)
    sync = verbs.add_parser("sync-commands", help="register the slash commands")
    sync.add_argument(
        "--guild", type=int, help="register to this guild only (fast, for development)"
    )
    sync.set_defaults(func=cmd_sync_commands)
    preview = verbs.add_parser("preview", help="print the brief a feed or article would get")
    preview.add_argument("location", metavar="URL_OR_FILE", help="a feed or article URL, or a file")
    preview.add_argument("--json", action="store_true", help="print the brief as JSON")
    preview.set_defaults(func=cmd_preview)
    sources = verbs.add_parser("sources", help="import or export sources as OPML")
    source_verbs = sources.add_subparsers(dest="sources_verb", required=True)
    imp = source_verbs.add_parser("import", help="add every feed of one or more OPML files")
    imp.add_argument("file", nargs="+")
    imp.add_argument("--guild", type=int, required=True)
    imp.add_argument("--channel", type=int, required=True)
    imp.set_defaults(func=cmd_sources_import)
    exp = source_verbs.add_parser("export", help="print a guild's sources as OPML")
    exp.add_argument("--guild", type=int, required=True)
    exp.set_defaults(func=cmd_sources_export)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
