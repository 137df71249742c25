from django.db import migrations, models

# SQLite rebuilds a table to add a NOT NULL column, and renaming the rebuilt table fails while the
# coverage triggers on members_member (liaisons 0004) name this table: add the column in place on
# both databases (the default '' fills the existing rows).
ADD = "ALTER TABLE organizations_organization ADD COLUMN place_name varchar(100) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE organizations_organization DROP COLUMN place_name"


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0004_one_committee_per_commune"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="organization",
                    name="place_name",
                    field=models.CharField(
                        blank=True,
                        help_text="Địa danh ở dòng ngày tháng văn bản do tổ chức ban hành, ví dụ “La Bằng, "
                        "ngày …”. Để trống: tên xã/phường của tổ chức nơi cư trú, hoặc tên tỉnh/thành phố.",
                        max_length=100,
                        verbose_name="địa danh ghi trên văn bản",
                    ),
                ),
            ],
        ),
    ]
