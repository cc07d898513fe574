"""A PostgreSQL server for the tests: started in a temporary folder, removed afterwards.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as an
unprivileged user (``postgres`` when there is one, else ``nobody``) through ``runuser``.
The schema is built once, by the migrations, in a template database; each test gets its
own database copied from it (``CREATE DATABASE … TEMPLATE``), which takes milliseconds.
Durability is switched off: a test database never needs to survive a power cut.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = "dcc_template"
_names = itertools.count(1)


class NoPostgres(Exception):
    """No PostgreSQL server programs on this machine (``initdb``, ``pg_ctl``)."""


def _program(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise NoPostgres(name)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    user: str
    as_user: list[str]  # the prefix that runs a program as the server's user

    @property
    def base_url(self) -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}"

    def url(self, database: str) -> str:
        return f"{self.base_url}/{database}"

    @classmethod
    def start(cls) -> PostgresServer:
        initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
        folder = Path(tempfile.mkdtemp(prefix="dcc-pg-"))
        user, as_user = _user()
        if as_user:
            shutil.chown(folder, user)
            folder.chmod(0o700)
        data = folder / "data"
        port = _free_port()
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
             "--no-sync"],
            check=True, capture_output=True, env=env,
        )  # fmt: skip
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"),
             "-w", "start"],
            check=True, capture_output=True, env=env,
        )  # fmt: skip
        return cls(folder, port, user, as_user)

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, _program("pg_ctl"), "-D", str(self.folder / "data"), "-m",
             "immediate", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    async def create_template(self) -> None:
        """The newest schema, built by the migrations, for every test to copy."""
        from storage.db import make_engine
        from storage.migrate import upgrade

        await self.execute(f"CREATE DATABASE {TEMPLATE}")
        engine = make_engine(self.url(TEMPLATE))
        await upgrade(engine)
        await engine.dispose()

    async def new_database(self) -> str:
        name = f"dcc_test_{os.getpid()}_{next(_names)}"
        await self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return name

    async def drop_database(self, name: str) -> None:
        await self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    async def execute(self, statement: str, *arguments: object) -> str:
        import asyncpg

        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user=self.user, database="postgres"
        )
        try:
            return str(await connection.execute(statement, *arguments))
        finally:
            await connection.close()

    async def close_connections(self, database: str) -> int:
        """Close every connection to ``database``, as a restart of the server would: how
        many there were."""
        status = await self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
        return int(status.split()[-1])  # "SELECT n"


def _user() -> tuple[str, list[str]]:
    """The server's user, and how to run a program as that user when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name, ["runuser", "-u", name, "--"]
    raise NoPostgres("no unprivileged user to run the server as")
