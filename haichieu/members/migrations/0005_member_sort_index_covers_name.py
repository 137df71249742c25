"""The list-order index also carries the folded name, for searches that walk it (bench/)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_member_link_status"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="member", name="member_sort_idx"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["sort_key", "id", "name_folded"], name="member_sort_name_idx"),
        ),
    ]
