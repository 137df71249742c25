"""PostgreSQL's CPU during `make load` (bench/load.py), read from /proc on this machine.

Two figures over the same window (the locust run):

- the run's backends: the connections of the load's gunicorn, told apart by their application name
  (PGAPPNAME, set for gunicorn's environment), found in pg_stat_activity and read from
  /proc/<pid>/stat (utime + stime) every SAMPLE_SECONDS, so a backend that ends mid-way counts up to
  its last reading. Other people's work on a shared server is not in it.
- the whole server: every process named postgres, plus the postmaster's cutime + cstime (the CPU of
  its children that ended: a backend's time moves there when it exits). Everything the server did in
  the window, the load's or not: an upper bound when others use the server.

Both are None when the server is not a process of this machine (SQLite, another host, a container
whose processes are not visible).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

SAMPLE_SECONDS = 0.5
PROC = Path("/proc")


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(comm, ppid, utime + stime, cutime + cstime) of the process, in clock ticks; None if gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is the state (field 3 of proc(5)): ppid is field 4, utime..cstime fields 14–17.
    return comm, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def server_ticks() -> int | None:
    """The CPU, in clock ticks, the PostgreSQL server of this machine has used, ended backends included."""
    processes = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] == "postgres":
                processes[int(entry.name)] = stat
    if not processes:
        return None
    total = 0
    for _, ppid, own, children in processes.values():
        total += own
        if ppid not in processes:  # the postmaster: its ended children's CPU
            total += children
    return total


def _on_this_machine(url: str) -> bool:
    from urllib.parse import urlsplit

    return bool(url) and (urlsplit(url).hostname or "localhost") in {"localhost", "127.0.0.1", "::1"}


def ticks_to_ms(ticks: int) -> float:
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


class DatabaseCpu:
    """Measure between `start()` and `stop()`; `figures(requests)` gives the JSON's entries."""

    def __init__(self, database_url: str, application_name: str):
        self.url = database_url
        self.application_name = application_name
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.server_start: int | None = None
        self.server_ms: float | None = None
        self._stop = threading.Event()
        self._first_done = threading.Event()
        self._thread: threading.Thread | None = None
        self.error = ""
        self._local = _on_this_machine(database_url) and server_ticks() is not None

    def _sample(self, conn) -> None:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.application_name]
            )
        ]
        for pid in pids:
            stat = _stat(pid)
            if stat is None:
                continue
            # A backend first seen after the first reading started in the window (the connections
            # open on demand): all its CPU is the window's.
            self.first.setdefault(pid, 0 if self._first_done.is_set() else stat[2])
            self.last[pid] = stat[2]
        self._first_done.set()

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True, application_name="haichieu-load-sampler") as conn:
                while True:
                    self._sample(conn)
                    if self._stop.wait(SAMPLE_SECONDS):
                        self._sample(conn)
                        return
        except Exception as exc:  # the figure is left out (None), the run goes on
            self.error = f"{type(exc).__name__}: {exc}"
            self._first_done.set()

    def start(self) -> None:
        if not self._local:
            return
        self.server_start = server_ticks()
        self._thread = threading.Thread(target=self._run, name="db-cpu", daemon=True)
        self._thread.start()
        self._first_done.wait(timeout=30)  # the window opens with the first reading

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=30)
        end = server_ticks()
        if end is not None and self.server_start is not None:
            self.server_ms = ticks_to_ms(end - self.server_start)

    @property
    def backends_ms(self) -> float | None:
        if self._thread is None or self.error:
            return None
        return ticks_to_ms(sum(self.last[pid] - self.first[pid] for pid in self.last))

    def figures(self, requests: int) -> dict:
        def per_request(ms: float | None) -> float | None:
            return round(ms / requests, 2) if ms is not None and requests else None

        return {
            "db_cpu_ms_per_request": per_request(self.backends_ms),
            "db_server_cpu_ms_per_request": per_request(self.server_ms),
            "db_backends": len(self.last),
        }
