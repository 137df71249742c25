"""The two comment forms in common use (issue 12), loaded as data for 2026: Mẫu 3-213 for members who
meet at the residence and Mẫu 4-213 for those HD 33-HD/BTCTW excuses from its meetings. The criteria,
their order and their three levels are exactly the issue's; a later year's form is added in the
Django admin (a year without its own form uses the latest earlier one)."""

from django.db import migrations

YEAR = 2026
SOURCE = "Mẫu phiếu nhận xét đang dùng theo Quy định 213-QĐ/TW và Hướng dẫn 33-HD/BTCTW"

FORMS = [
    (
        "3-213",
        "Phiếu nhận xét đảng viên đang công tác giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú",
        "regular",
        [
            ("example", "Giữ gìn phẩm chất, đạo đức, lối sống; nêu gương ở nơi cư trú",
             "Nêu gương tốt", "Nêu gương", "Chưa nêu gương"),
            ("civic_duty", "Thực hiện nghĩa vụ công dân và các quy định của địa phương nơi cư trú",
             "Gương mẫu đi đầu", "Gương mẫu", "Chưa gương mẫu"),
            ("meetings", "Tham gia sinh hoạt với chi bộ nơi cư trú và các hoạt động ở nơi cư trú",
             "Tham gia đầy đủ", "Chưa đầy đủ", "Không tham gia"),
            ("contact", "Giữ mối liên hệ với chi ủy, chi bộ và nhân dân nơi cư trú",
             "Thường xuyên, tích cực", "Thường xuyên", "Chưa thường xuyên"),
            ("mobilise", "Tuyên truyền, vận động nhân dân tham gia xây dựng Đảng, chính quyền, đoàn thể",
             "Rất tích cực", "Tích cực", "Chưa tích cực"),
            ("proposal", "Đề nghị", "Biểu dương", "Không đề nghị", "Xem xét xử lý"),
        ],
    ),
    (
        "4-213",
        "Phiếu nhận xét đảng viên giữ mối liên hệ nơi cư trú được miễn sinh hoạt (Hướng dẫn 33-HD/BTCTW)",
        "excused",
        [
            ("example", "Giữ gìn phẩm chất, đạo đức, lối sống; nêu gương ở nơi cư trú",
             "Thực hiện tốt", "Thực hiện", "Chưa thực hiện"),
            ("civic_duty", "Thực hiện nghĩa vụ công dân và các quy định của địa phương nơi cư trú",
             "Thực hiện tốt", "Thực hiện", "Chưa thực hiện"),
            ("family", "Xây dựng gia đình văn hóa, thực hiện trách nhiệm của gia đình nơi cư trú",
             "Thực hiện tốt", "Thực hiện", "Chưa thực hiện"),
        ],
    ),
]


def load(apps, schema_editor):
    CommentForm = apps.get_model("comments", "CommentForm")
    Criterion = apps.get_model("comments", "Criterion")
    for code, title, audience, criteria in FORMS:
        form = CommentForm.objects.create(year=YEAR, code=code, title=title, audience=audience, source=SOURCE)
        Criterion.objects.bulk_create(
            Criterion(form=form, position=n, key=key, label=label, level_1=l1, level_2=l2, level_3=l3)
            for n, (key, label, l1, l2, l3) in enumerate(criteria, start=1)
        )


def unload(apps, schema_editor):
    apps.get_model("comments", "CommentForm").objects.filter(
        year=YEAR, code__in=[code for code, *_ in FORMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_comment_forms_and_requests")]

    operations = [migrations.RunPython(load, unload)]
