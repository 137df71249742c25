"""Many users acting at once on a real database (issue 9, finding 8): `python -m` this module with
DATABASE_URL set to an empty database; it migrates, builds the test world, fires the requests from
threads released together and prints one JSON object of what came back and what was written.

Run by test_concurrency.py in a subprocess: pytest's test databases are not real enough (SQLite's is
in memory, shared between threads through one cache; PostgreSQL's runs each test in a transaction).
"""

import datetime
import json
import os
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haichieu.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

THREADS = 5


def main() -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    from haichieu.liaisons import services
    from haichieu.liaisons.models import ChangeNotice, DepartureReport, Group, Liaison
    from haichieu.testing import build_world, make_member

    world = build_world()
    ba_dinh = world.r2.commune
    alike = dict(residence_commune=ba_dinh, residence_province=ba_dinh.province)
    each = [make_member(world.w1c1, f"Nguyễn Văn Số {i}", **alike) for i in range(THREADS)]
    same = make_member(world.w1c1, "Trần Văn Một", **alike)
    # A cell's "no longer lives here" report sent five times at once, and another link's report
    # confirmed five times at once by the commune committee.
    reported = Liaison.objects.get(member=world.m1)
    other = make_member(world.w1c1, "Lê Thị Đi", residence_commune=world.r1.commune)
    waiting = services.liaison_introduce(actor=world.w1_staff, members=[other]).introduced[0]
    services.liaison_receive(actor=world.r1_staff, liaison=waiting, cell=world.r1c1)
    report = services.departure_report(
        actor=world.r1c1_secretary, liaison=waiting, date=datetime.date.today()
    )
    # One bulk introduction previewed, then its confirmation sent five times at once (a double click,
    # two tabs): its letter is issued once.
    from haichieu.liaisons.introductions import introduction_batch_create

    batched = make_member(world.w1c1, "Phan Văn Đợt", **alike)
    batch = introduction_batch_create(actor=world.w1_staff, members=[batched], signer=None)
    barrier = threading.Barrier(6 * THREADS)
    statuses: dict[str, list[int]] = {
        "introduce_each": [], "introduce_same": [], "group_same_name": [], "report_same": [], "confirm_same": [],
        "batch_same": [],
    }  # fmt: skip

    def act(kind: str, user, url: str, data: dict) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(url, data)
            if kind.startswith("introduce_") and response.status_code == 302:
                # The coverage page's POST makes a preview; its confirmation issues the letter.
                response = client.post(response["Location"].rstrip("/") + "/xac-nhan/")
            statuses[kind].append(response.status_code)
        finally:
            connection.close()

    introduce = reverse("liaisons:introduce")
    group = reverse("liaisons:residence_group_create", args=[world.r1c1.pk])
    leave = reverse("liaisons:residence_no_longer_resides", args=[reported.pk])
    decide = reverse("liaisons:residence_departure", args=[report.pk])
    confirm = reverse("liaisons:introduce_confirm", args=[batch.pk])
    today = f"{datetime.date.today():%d/%m/%Y}"
    threads = [
        *(threading.Thread(target=act, args=("introduce_each", world.w1_staff, introduce, {"member": m.pk})) for m in each),
        *(threading.Thread(target=act, args=("introduce_same", world.w1_staff, introduce, {"member": same.pk})) for _ in range(THREADS)),
        *(threading.Thread(target=act, args=("group_same_name", world.r1c1_secretary, group, {"name": "Tổ 1"})) for _ in range(THREADS)),
        *(threading.Thread(target=act, args=("report_same", world.r1c1_secretary, leave, {"date": today})) for _ in range(THREADS)),
        *(threading.Thread(target=act, args=("confirm_same", world.r1_staff, decide, {"decision": "confirm"})) for _ in range(THREADS)),
        *(threading.Thread(target=act, args=("batch_same", world.w1_staff, confirm, {})) for _ in range(THREADS)),
    ]  # fmt: skip # six groups of threads, one a line
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return {
        "statuses": statuses,
        "introduced_each": Liaison.objects.filter(member__in=each, status=Liaison.Status.INTRODUCED).count(),
        "links_of_same": Liaison.objects.filter(member=same).count(),
        "letters": Liaison.objects.filter(letter_number__isnull=False).count(),
        "distinct_letter_numbers": Liaison.objects.filter(letter_number__isnull=False)
        .values("workplace_org", "letter_number")
        .distinct()
        .count(),
        "groups": Group.objects.filter(cell=world.r1c1, name="Tổ 1").count(),
        "reports_of_same": DepartureReport.objects.filter(liaison=reported).count(),
        "reported_link": Liaison.objects.get(pk=reported.pk).status,
        "notices_of_confirmed": ChangeNotice.objects.filter(
            liaison=waiting, kind="no_longer_resides"
        ).count(),
        "confirmed_link": Liaison.objects.get(pk=waiting.pk).status,
        "letters_of_batched": Liaison.objects.filter(member=batched, letter_number__isnull=False).count(),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
