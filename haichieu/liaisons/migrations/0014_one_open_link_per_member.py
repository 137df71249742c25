"""At most one open link per member (issue 15): a partial unique index on both databases.

Links opened twice before it (a move recorded twice gave two drafts) are first closed, the newest
of each member kept open, each closed one with an entry in its history saying why.
"""

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

OPEN = ["draft", "introduced", "returned", "received", "active"]


def close_duplicates(apps, schema_editor):
    Liaison = apps.get_model("liaisons", "Liaison")
    LiaisonEvent = apps.get_model("liaisons", "LiaisonEvent")
    twice = (
        Liaison.objects.filter(status__in=OPEN)
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("member_id", flat=True)
    )
    now = timezone.now()
    for member_id in list(twice):
        older = list(Liaison.objects.filter(member_id=member_id, status__in=OPEN).order_by("-pk")[1:])
        for link in older:
            LiaisonEvent.objects.create(
                liaison=link,
                actor_repr="hệ thống",
                action="end",
                from_status=link.status,
                to_status="ended",
                note="Hồ sơ mở trùng: giữ hồ sơ mới nhất của đảng viên",
            )
        Liaison.objects.filter(pk__in=[link.pk for link in older]).update(
            status="ended", ended_at=now, end_date=now.date(), end_reason="other"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("liaisons", "0013_coverage_counts_working_members_apart"),
        ("members", "0007_member_link_status_choices"),
    ]

    operations = [
        migrations.RunPython(close_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="liaison",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", OPEN)),
                fields=("member",),
                name="liaison_one_open_per_member",
            ),
        ),
    ]
