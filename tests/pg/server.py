"""A private, throwaway PostgreSQL server for the differential tests.

Why not a shared or docker server: the oracle must be exactly "what a real PostgreSQL does
with these migrations", with no state leaking in from elsewhere, and CI only needs the Debian
`postgresql-15` package. The cluster lives in a temporary directory, listens only on a Unix
socket in that directory (no TCP port, so parallel runs never collide), runs with
`fsync=off`, and is deleted on stop.

PostgreSQL refuses to run as root. When we are root, `initdb`/`pg_ctl` run as an
unprivileged account (`$LOCKSTEP_PG_USER`, else `postgres`, else `nobody`) through
`subprocess`'s `user=`/`group=`/`extra_groups=` (no `runuser`/`sudo` needed); clients (`psql`,
psycopg) keep running as us and connect as the database superuser `postgres` with trust auth.
As a normal user everything simply runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file inside our private directory
START_TIMEOUT_S = 60.0
STATEMENT_TIMEOUT_S = 120.0


class PgUnavailable(RuntimeError):
    """No usable PostgreSQL installation: the tests skip with this message."""


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin$", path)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else (0,)


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl, postgres, pg_isready and psql.

    `$LOCKSTEP_PG_BINDIR` wins; then PATH; then the highest `/usr/lib/postgresql/*/bin`
    (Debian does not put the server binaries on PATH).
    """
    wanted = ("initdb", "pg_ctl", "postgres", "pg_isready", "psql")
    candidates: list[str] = []
    if env := os.environ.get("LOCKSTEP_PG_BINDIR"):
        candidates.append(env)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for cand in candidates:
        if all(os.access(os.path.join(cand, exe), os.X_OK) for exe in wanted):
            return Path(cand)
    raise PgUnavailable(
        "PostgreSQL server binaries not found (initdb/pg_ctl/postgres/pg_isready/psql on PATH "
        "or in /usr/lib/postgresql/*/bin); install the Debian package `postgresql-15` "
        "or set LOCKSTEP_PG_BINDIR"
    )


def _clean_env(home: Path) -> dict[str, str]:
    """Our environment minus anything that could point libpq/initdb somewhere else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(HOME=str(home), LC_ALL="C", LANG="C", TZ="UTC")
    return env


@dataclass
class PgServer:
    """One running cluster. Use `start()` / `stop()` (or the pytest fixture in conftest)."""

    bindir: Path
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lockstep-pg-")))
    _run_as: pwd.struct_passwd | None = None
    _started: bool = False

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base

    @property
    def logfile(self) -> Path:
        return self.base / "postgres.log"

    # -- process plumbing ---------------------------------------------------------------

    def _server_cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a server-side tool (initdb, pg_ctl) as the unprivileged owner when we are root."""
        kwargs: dict[str, object] = {}
        if self._run_as is not None:
            kwargs = {
                "user": self._run_as.pw_uid,
                "group": self._run_as.pw_gid,
                "extra_groups": [],
            }
        proc: subprocess.CompletedProcess[str] = subprocess.run(
            list(args),
            cwd=self.base,
            env=_clean_env(self.base),
            capture_output=True,
            text=True,
            timeout=STATEMENT_TIMEOUT_S,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
                f"\n{self._log_tail()}"
            )
        return proc

    def _log_tail(self) -> str:
        try:
            return "postgres log:\n" + self.logfile.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def _pick_user(self) -> None:
        if os.geteuid() != 0:
            return
        names = [os.environ.get("LOCKSTEP_PG_USER", ""), "postgres", "nobody"]
        for name in filter(None, names):
            try:
                self._run_as = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        else:
            raise PgUnavailable("running as root and no unprivileged user (postgres/nobody)")
        os.chown(self.base, self._run_as.pw_uid, self._run_as.pw_gid)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self.base.chmod(0o755)  # clients running as another user must reach the socket
        self._pick_user()
        b = self.bindir
        self._server_cmd(
            str(b / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            f"-c port={PORT} -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=20 -c shared_buffers=16MB -c log_min_messages=warning "
            # No background vacuum: when it runs between a fixture's DROP and CREATE decides
            # where new catalog rows land, and a generator that reads rows in heap order
            # would then print ties in another order from run to run.
            "-c autovacuum=off"
        )
        # pg_ctl -w already polls (bounded by -t) and notices a postmaster that dies during
        # startup; pg_isready below then confirms the socket accepts connections.
        self._started = True  # from here on, stop() must run pg_ctl stop
        self._server_cmd(
            str(b / "pg_ctl"), "start", "-w", "-t", str(int(START_TIMEOUT_S)),
            "-D", str(self.datadir), "-l", str(self.logfile), "-o", options,
        )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        cmd = [
            str(self.bindir / "pg_isready"), "-q", "-h", str(self.socket_dir),
            "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres", "-t", "2",
        ]  # fmt: skip
        while True:
            rc = subprocess.run(cmd, env=_clean_env(self.base), check=False).returncode
            if rc == 0:
                return
            if time.monotonic() > deadline:
                tail = self._log_tail()
                raise RuntimeError(f"postgres not ready after {START_TIMEOUT_S}s\n{tail}")
            time.sleep(0.1)  # poll interval of the bounded readiness loop

    def stop(self) -> None:
        try:
            if self._started:
                self._server_cmd(
                    str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir),
                    "-m", "fast", "-w", check=False,
                )  # fmt: skip
                self._started = False
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    # -- clients ------------------------------------------------------------------------

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg  # lazily: without it the fixture skips instead of failing collection

        return psycopg.connect(
            host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname=dbname, autocommit=True
        )

    def create_database(self, name: str) -> None:
        """A fresh database (dropped first if a previous test left one)."""
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')

    def psql_file(self, dbname: str, path: Path) -> subprocess.CompletedProcess[str]:
        """Apply one SQL file exactly as `psql -f` does: statement by statement, autocommit.

        That is what lets `CREATE INDEX CONCURRENTLY` and `BEGIN; … COMMIT;` wrappers work.
        Never raises on SQL errors: the caller decides (and shows psql's stderr).
        """
        cmd = [
            str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-h", str(self.socket_dir), "-p", str(PORT), "-U", SUPERUSER, "-d", dbname,
            "-f", str(path),
        ]  # fmt: skip
        return subprocess.run(
            cmd,
            env=_clean_env(self.base),
            capture_output=True,
            text=True,
            timeout=STATEMENT_TIMEOUT_S,
            check=False,
        )
