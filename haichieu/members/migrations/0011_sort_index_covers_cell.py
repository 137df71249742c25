"""The list-order index also carries the member's cell: the workplace side of a scope walks it
testing each member's name and cell, and now reads neither from the table (bench/, issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_name_statistics"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="member", name="member_sort_name_idx"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["sort_key", "id", "name_folded", "workplace_cell"], name="member_sort_name_idx"
            ),
        ),
    ]
