"""A real PostgreSQL server for the tests, started once per session.

`initdb` into a fresh temporary folder, then `pg_ctl start` with a Unix socket in that
folder (no TCP port: nothing to collide with on a shared machine) and `trust`
authentication for the one superuser `newsdesk`. PostgreSQL refuses to run as root, and
tests run as root in CI: the server then runs as the system user `postgres` (which the
Debian package creates) or, where it is missing, `nobody`; the folder is given to that
user. Each test gets its own empty database (`CREATE DATABASE ... TEMPLATE template0`);
the server stops when the session ends.

The binaries come from the machine (`pg_ctl` on PATH, or Debian's
/usr/lib/postgresql/<version>/bin); `.ci/run` installs the `postgresql` package where they
are missing. Without them the PostgreSQL tests are skipped with the reason, except under
CI (CI=true), where a missing server fails the run instead of hiding it.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

SUPERUSER = "newsdesk"
PORT = 5432  # only names the socket file, inside a private folder


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, newest version first, or None."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).parent] if on_path else []
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


@dataclass
class PostgresServer:
    bin_dir: Path
    folder: Path
    user: pwd.struct_passwd | None
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={quote(str(self.folder), safe='')}"

    def _run(self, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        subprocess.run(
            args,
            check=True,
            cwd=self.folder,
            capture_output=True,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            **kwargs,  # type: ignore[arg-type]
        )

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )
        # Durability is not under test: no fsync makes CREATE DATABASE and commits cheap.
        options = (
            f"-k {self.folder} -p {PORT} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "--pgdata",
            str(self.data),
            "--wait",
            "--log",
            str(self.folder / "server.log"),
            "-o",
            options,
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                str(self.bin_dir / "pg_ctl"), "stop", "--pgdata", str(self.data), "-m", "immediate"
            )
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"test_{next(self._numbers)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY file_copy")
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = (
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found: "
            "`apt-get install postgresql` (.ci/run does)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer(
        bin_dir, Path(tempfile.mkdtemp(prefix="newsdesk-pg-", dir="/tmp")), _server_user()
    )
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = server.folder / "server.log"
        detail = log.read_text() if log.exists() else ""
        server.stop()
        pytest.fail(f"PostgreSQL did not start: {exc.stderr!r} {detail}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return postgres_server.create_database()
