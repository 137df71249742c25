"""The digest period is named from DIGEST_EVERY_MONTHS: 'quý' only when it is 3 months long."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from haichieu.core.models import AuditEntry
from haichieu.liaisons import documents, rules, services
from haichieu.liaisons.models import Digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def every(monkeypatch):
    def set_months(months):
        monkeypatch.setitem(settings.HAICHIEU["RULES"], "DIGEST_EVERY_MONTHS", months)

    return set_months


@pytest.mark.parametrize(
    "months, name, label, title, slug",
    [
        (3, "quý", "quý 4/2026", "QUÝ IV NĂM 2026", "quy-4-2026"),
        (1, "tháng", "tháng 11/2026", "THÁNG 11 NĂM 2026", "thang-11-2026"),
        (6, "6 tháng", "6 tháng cuối năm 2026", "6 THÁNG CUỐI NĂM 2026", "6-thang-2-2026"),
        (4, "kỳ", "kỳ 3/2026", "KỲ 3 NĂM 2026", "ky-3-2026"),
    ],
)
def test_period_names_follow_the_setting(every, months, name, label, title, slug):
    every(months)
    year, period = rules.digest_period(datetime.date(2026, 11, 3))
    assert rules.digest_period_name() == name
    assert rules.digest_period_label(year, period) == label
    assert rules.digest_period_title(year, period) == title
    assert rules.digest_period_slug(year, period) == slug


def _notice_and_page(world, client_for):
    services.member_record_event(
        actor=world.w1_staff,
        member=world.m1,
        kind="position_change",
        event_date=datetime.date(2026, 2, 3),
        new_position="Phó phòng",
    )
    client = client_for(world.w1_staff)
    return client, client.get(reverse("liaisons:digests")).content.decode()


def test_quarterly_page_says_quy(world, client_for):
    client, body = _notice_and_page(world, client_for)
    assert "<title>Danh sách biến động theo quý" in body and "<td>Quý 1/2026</td>" in body
    assert "Mỗi quý, cấp ủy nơi công tác" in body
    response = client.get(
        reverse("liaisons:digest_download", args=[world.w1.pk, world.r1.pk, 2026, 1, "docx"])
    )
    assert "bien-dong-quy-1-2026-r1.docx" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(note__startswith="Danh sách biến động quý 1/2026 gửi").exists()
    sent = client.post(reverse("liaisons:digest_send", args=[world.w1.pk, world.r1.pk, 2026, 1]), follow=True)
    assert "Đã ban hành thông báo Số 1-TB/ĐU về biến động quý 1/2026 gửi" in sent.content.decode()
    assert str(Digest.objects.get()).startswith("Quý 1/2026: ")


def test_half_yearly_page_says_6_thang(world, client_for, every):
    every(6)
    client, body = _notice_and_page(world, client_for)
    assert "quý" not in body.lower()
    assert "<title>Danh sách biến động theo 6 tháng" in body and "<td>6 tháng đầu năm 2026</td>" in body
    home = client.get(reverse("home")).content.decode()
    assert "Danh sách biến động theo 6 tháng" in home
    response = client.get(
        reverse("liaisons:digest_download", args=[world.w1.pk, world.r1.pk, 2026, 1, "docx"])
    )
    assert "bien-dong-6-thang-1-2026-r1.docx" in response["Content-Disposition"]
    assert documents.digest_title(2026, 1) == "DANH SÁCH ĐẢNG VIÊN CÓ BIẾN ĐỘNG 6 THÁNG ĐẦU NĂM 2026"


@pytest.mark.django_db(transaction=True)
def test_the_rename_keeps_the_digests_sent(world):
    executor = MigrationExecutor(connection)
    before = [("liaisons", "0007_coverage_function_sums_per_cell")]
    after = [("liaisons", "0008_digest_named_for_its_period")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("liaisons", "QuarterlyDigest")
        old.objects.create(
            sender_org_id=world.w1.pk,
            recipient_org_id=world.r1.pk,
            year=2026,
            quarter=3,
            sent_at=timezone.now(),
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("liaisons", "Digest")
        assert list(new.objects.values_list("year", "period")) == [(2026, 3)]
    finally:
        # Back to the latest schema: the tests after this one share the database.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
