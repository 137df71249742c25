"""The simulated users of `make load` (bench/load.py starts this in its own process, as locust's
library: gevent patches the whole process, so it never shares one with Django).

`python -m bench.locustfile PLAN.json HOST USERS SECONDS` runs locust headless and prints one JSON
object of figures on stdout. The plan (written by bench/load.py from the bench data set) gives each
demo user its password, its pages (the benchmark's operations as that user, and member pages in its
scope), its roll-call taps, recovery codes for provincial staff (their second sign-in step) and the
one import. Simulated user i signs in as demo user i mod 5 during the ramp-up, then opens a page of
its own every 1–3 s (a tap now and then for a cell secretary); one provincial user previews the
import once. Sign-ins (the login page, the password, the code) are counted apart from the pages;
"steady" holds the pages requested after the last user signed in.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.env import Environment

PLAN: dict = {}
SIGN_IN = "sign_in"
IMPORT = "member_import"
# Every request: (name, milliseconds, failed, when) — what the figures are computed from.
RECORDS: list[tuple[str, float, bool, float]] = []
STATE = {"signed_in": 0, "users": 0, "steady_from": None, "import_done": False}
_next_user = itertools.count()
_codes: dict[str, list[str]] = {}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    RECORDS.append((name, response_time, exception is not None, time.monotonic()))


def _csrf(html: str) -> str:
    match = CSRF_INPUT.search(html)
    return match.group(1) if match else ""


class DemoUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        index = next(_next_user)
        names = list(PLAN["users"])
        self.username = names[index % len(names)]
        self.plan = PLAN["users"][self.username]
        self.does_import = PLAN["import"]["username"] == self.username and index < len(names)
        self.tasks_done = 0
        self.sign_in()

    def sign_in(self) -> None:
        """The login page, the password (one PBKDF2 hash), and for provincial staff the second step
        with a recovery code; all named `sign_in`, so they are reported apart."""
        page = self.client.get("/dang-nhap/", name=f"{SIGN_IN}: page")
        data = {
            "username": self.username,
            "password": PLAN["password"],
            "csrfmiddlewaretoken": _csrf(page.text),
        }
        with self.client.post(
            "/dang-nhap/", data, name=f"{SIGN_IN}: password", catch_response=True
        ) as response:
            if "/ma-xac-thuc/" in response.url:
                response.success()
                code = _codes[self.username].pop()
                form = {"code": code, "csrfmiddlewaretoken": _csrf(response.text)}
                with self.client.post(
                    "/dang-nhap/ma-xac-thuc/", form, name=f"{SIGN_IN}: code", catch_response=True
                ) as second:
                    self._check_signed_in(second)
            else:
                self._check_signed_in(response)

    def _check_signed_in(self, response) -> None:
        if response.status_code != 200 or "/dang-nhap/" in response.url:
            response.failure(f"sign-in of {self.username} refused ({response.status_code} {response.url})")
            return
        response.success()
        STATE["signed_in"] += 1
        if STATE["signed_in"] == STATE["users"]:
            STATE["steady_from"] = time.monotonic()

    def _get(self, name: str, url: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/dang-nhap/" in response.url:
                response.failure(f"{response.status_code} {response.url}")

    @task
    def work(self) -> None:
        self.tasks_done += 1
        if self.does_import and not STATE["import_done"] and self.tasks_done >= 1:
            STATE["import_done"] = True
            self.preview_import()
            return
        taps = self.plan["taps"]
        if taps and random.random() < 0.3:
            self.tap(random.choice(taps))
            return
        name, url = random.choice(self.plan["pages"])
        self._get(name, url or random.choice(self.plan["members"]))

    def tap(self, tap: dict) -> None:
        """One roll-call tap: a POST with the CSRF token of the session's cookie, as the page's script."""
        token = self.client.cookies.get("csrftoken", "")
        data = {"status": random.choice(tap["statuses"])}
        with self.client.post(
            tap["url"], data, headers={"X-CSRFToken": token}, name="attendance_tap", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")

    def preview_import(self) -> None:
        """The import's upload and preview (read, validated, matched); not confirmed, so the data
        set keeps its members."""
        spec = PLAN["import"]
        page = self.client.get("/dang-vien/nhap/", name=f"{IMPORT}: page")
        data = {"csrfmiddlewaretoken": _csrf(page.text)}
        content = Path(spec["file"]).read_bytes()
        files = {"file": ("danh-sach.xlsx", content, spec["content_type"])}
        with self.client.post(
            "/dang-vien/nhap/", data, files=files, name=f"{IMPORT}: preview", catch_response=True
        ) as response:
            if response.status_code != 200 or response.url.endswith("/dang-vien/nhap/"):  # the form again
                response.failure(f"no preview: {response.status_code} {response.url}")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return round(ordered[min(rank, len(ordered)) - 1], 1)


def figures(records: list[tuple[str, float, bool, float]], seconds: float) -> dict:
    times = [r[1] for r in records]
    return {
        "requests": len(records),
        "errors": sum(1 for r in records if r[2]),
        "rps": round(len(records) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
    }


def run(host: str, users: int, seconds: float, spawn_rate: float) -> dict:
    import gevent

    STATE["users"] = users
    for username, spec in PLAN["users"].items():
        _codes[username] = list(spec.get("codes", []))
    env = Environment(user_classes=[DemoUser], host=host, events=events)
    runner = env.create_local_runner()
    # The event loop's clock is read when it last ran (before the plan was read and the runner made,
    # seconds on a busy machine): without this the run stopped that much early (3.4 s of 5).
    gevent.get_hub().loop.update_now()
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    ended = time.monotonic()
    elapsed = ended - started
    pages = [r for r in RECORDS if not r[0].startswith(SIGN_IN)]
    result: dict = {"users": users, "seconds": round(elapsed, 1), **figures(pages, elapsed)}
    steady_from = STATE["steady_from"]
    if steady_from is not None:
        result["steady"] = {
            "seconds": round(ended - steady_from, 1),
            **figures([r for r in pages if r[3] >= steady_from], ended - steady_from),
        }
    sign_ins = [r for r in RECORDS if r[0].startswith(SIGN_IN)]
    result["sign_in"] = {"users": STATE["signed_in"], **figures(sign_ins, elapsed)}
    by_name: dict[str, list] = {}
    for record in pages:
        by_name.setdefault(record[0], []).append(record)
    result["pages"] = {name: figures(rows, elapsed) for name, rows in sorted(by_name.items())}
    failures = [f"{e.name}: {e.error} ×{e.occurrences}" for e in env.stats.errors.values()]
    if failures:
        print("[load] failures:\n  " + "\n  ".join(failures), file=sys.stderr, flush=True)
    return result


def main(argv: list[str]) -> int:
    plan_path, host, users, seconds = argv[1], argv[2], int(argv[3]), float(argv[4])
    PLAN.update(json.loads(Path(plan_path).read_text(encoding="utf-8")))
    spawn_rate = float(PLAN.get("spawn_rate", 5))
    print(json.dumps(run(host, users, seconds, spawn_rate), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
