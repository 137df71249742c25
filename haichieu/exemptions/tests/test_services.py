"""The exemption rules: who decides, the period, the scan, revocation, renewal; one audit entry each."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haichieu.core.models import AuditEntry
from haichieu.core.services import ServiceError
from haichieu.exemptions import rules, services
from haichieu.exemptions.models import Exemption, ExemptionScan
from haichieu.liaisons.models import InboxItem

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2026, 1, 10), D(2026, 12, 31)


def data(world, *, reason="far_work", decided_by=None, start=START, end=END, **extra):
    return {
        "reason": reason,
        "decided_by": decided_by or world.w1,
        "decided_on": D(2026, 1, 5),
        "start_date": start,
        "end_date": end,
        "applied_on": D(2026, 1, 2),
        "cell_proposal_on": D(2026, 1, 3),
        "contact": "Zalo  0912 345 678",
        "reason_details": "Làm việc tại công trường ở Lào Cai",
        **extra,
    }


def test_the_grassroots_committee_decides_and_the_record_is_audited(world):
    exemption = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    assert exemption.decided_by == world.w1 and exemption.contact == "Zalo 0912 345 678"
    entry = AuditEntry.objects.get(target_type="exemptions.exemption", target_id=str(exemption.pk))
    assert entry.action == "create" and entry.changes["after"]["reason"] == "far_work"
    assert not InboxItem.objects.filter(kind="exemption").exists()  # the committee decided: no report


def test_the_cell_decides_only_on_the_age_and_health_route(world):
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(
            actor=world.w1c1_secretary, member=world.m1, data=data(world, decided_by=world.w1c1)
        )
    assert refused.value.field == "decided_by" and "Đảng bộ Sở Tài chính" in refused.value.message
    exemption = services.exemption_create(
        actor=world.w1c1_secretary,
        member=world.m1,
        data=data(world, reason="age_health", decided_by=world.w1c1),
    )
    assert exemption.decided_by == world.w1c1
    # … and reports to the grassroots committee (its inbox), without the reason.
    item = InboxItem.objects.get(recipient_org=world.w1, kind="exemption")
    assert "Nguyễn Văn An" in item.summary and "31/12/2026" in item.summary
    assert "Lào Cai" not in item.summary


def test_who_decides_follows_the_settings(world, settings):
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_CELL_DECIDES": []},
    }
    assert not rules.cell_decides("age_health")
    with pytest.raises(ServiceError):
        services.exemption_create(
            actor=world.w1_staff,
            member=world.m1,
            data=data(world, reason="age_health", decided_by=world.w1c1),
        )


def test_another_committee_cannot_decide(world):
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(actor=world.admin, member=world.m1, data=data(world, decided_by=world.w2))
    assert refused.value.field == "decided_by"
    assert not Exemption.objects.exists()


def test_a_reason_left_out_of_the_settings_is_refused(world, settings):
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_REASONS": ["age_health"]},
    }
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"start": D(2026, 1, 1)}, "start_date"),  # before the decision
        ({"end": D(2026, 1, 9)}, "end_date"),
        ({"applied_on": D(2026, 2, 1)}, "applied_on"),
        ({"cell_proposal_on": D(2026, 2, 1)}, "cell_proposal_on"),
    ],
)
def test_the_period_and_the_dates_are_checked(world, extra, field):
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world, **extra))
    assert refused.value.field == field
    assert not Exemption.objects.exists()


def test_periods_of_one_member_do_not_overlap(world):
    services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(
            actor=world.w1_staff, member=world.m1, data=data(world, start=D(2026, 12, 31), end=D(2027, 6, 30))
        )
    assert "10/01/2026" in refused.value.message
    assert Exemption.objects.count() == 1


def test_a_user_who_does_not_write_for_the_cell_is_refused(world):
    for actor in (world.w1_viewer, world.w2_staff, world.r1_staff):
        with pytest.raises(ServiceError):
            services.exemption_create(actor=actor, member=world.m1, data=data(world))
    assert not Exemption.objects.exists()


def test_the_scan_is_checked_by_its_content_and_size(world, settings):
    fake = SimpleUploadedFile("don.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ServiceError) as refused:
        services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world), scan=fake)
    assert refused.value.field == "scan"
    assert not Exemption.objects.exists()  # nothing half-written
    settings.HAICHIEU = {**settings.HAICHIEU, "EXEMPTION_SCAN_MAX_BYTES": 100}
    big = SimpleUploadedFile("don.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200)
    with pytest.raises(ServiceError):
        services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world), scan=big)
    good = SimpleUploadedFile("don.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    exemption = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world), scan=good)
    assert ExemptionScan.objects.get(exemption=exemption).content_type == "image/png"


def test_update_records_what_changed(world):
    exemption = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    services.exemption_update(
        actor=world.w1_staff,
        exemption=exemption,
        data=data(world, end=D(2026, 6, 30), decision_number="12-QĐ/ĐU"),
    )
    entry = AuditEntry.objects.get(target_id=str(exemption.pk), action="update")
    assert entry.changes["end_date"] == ["2026-12-31", "2026-06-30"]


def test_revoke_once_ends_it_and_is_audited(world):
    exemption = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    services.exemption_revoke(actor=world.w1_staff, exemption=exemption, note="Trở lại sinh hoạt")
    assert not Exemption.objects.in_force_on(D(2026, 3, 1)).exists()
    with pytest.raises(ServiceError):
        services.exemption_revoke(actor=world.w1_staff, exemption=Exemption.objects.get(pk=exemption.pk))
    assert AuditEntry.objects.filter(target_id=str(exemption.pk), action="update").count() == 1


def test_renewal_is_the_next_period_and_lifts_the_ended_listing(world):
    first = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    assert rules.renewal_period(first) == (D(2027, 1, 1), D(2027, 12, 22))
    today = D(2027, 1, 15)
    assert list(rules.ended_unrenewed(Exemption.objects.all(), today)) == [first]
    services.exemption_create(
        actor=world.w1_staff,
        member=world.m1,
        data={**data(world, start=D(2027, 1, 16), end=D(2027, 12, 31)), "decided_on": D(2027, 1, 15)},
        renews=first,
    )
    assert not rules.ended_unrenewed(Exemption.objects.all(), today).exists()


def test_ending_soon_counts_the_settings_days(world, settings):
    exemption = services.exemption_create(actor=world.w1_staff, member=world.m1, data=data(world))
    assert list(rules.ending_soon(Exemption.objects.all(), D(2026, 12, 1))) == [exemption]
    assert not rules.ending_soon(Exemption.objects.all(), D(2026, 11, 30)).exists()
    assert rules.is_ending_soon(exemption, D(2026, 12, 1))
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_ENDING_WITHIN_DAYS": 60},
    }
    assert rules.ending_soon(Exemption.objects.all(), D(2026, 11, 1)).exists()
