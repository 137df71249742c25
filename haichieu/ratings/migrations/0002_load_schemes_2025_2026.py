"""The rating schemes of 2025 and 2026 as read from QĐ 366-QĐ/TW Art. 11 (issue 12).

Data, not code: an administrator corrects or adds a year in the Django admin. What was read, and
where (12/2026): Art. 11 clause 1 (xuất sắc) as restated by tintuc.thuvienphapluat.vn (09/12/2025);
clauses 2 and 3 (tốt, hoàn thành) as restated by laodong.vn; the bands 90 / 70–90 / 50–70 / under 50
by both and by thanhnien.vn (20/09/2025). Not read in full: the individual's wording of clause 3,
the list of cases in clause 4, and HD 43-HD/BTCTW (31/10/2025) itself. The conditions for members
holding a leadership post (their unit's results) are not loaded: add them here or in the admin.
This migration carries its data as it was written, and never imports live code.
"""

from django.db import migrations

SOURCE = (
    "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị, Điều 11 (mức xếp loại: điểm và điều kiện); "
    "Hướng dẫn số 43-HD/BTCTW ngày 31/10/2025 của Ban Tổ chức Trung ương. Đã đối chiếu: khoản 1, 2 và "
    "các ngưỡng điểm của khoản 3, 4 (qua các bản trích thuvienphapluat.vn, laodong.vn, thanhnien.vn). "
    "Chưa đọc được nguyên văn: điều kiện đối với cá nhân ở khoản 3, các trường hợp ở khoản 4 và toàn văn "
    "Hướng dẫn 43; điều kiện riêng cho người giữ chức vụ lãnh đạo, quản lý chưa đưa vào. Sửa trong trang "
    "quản trị khi có văn bản."
)

ALL_TASKS_ON_TIME = {
    "key": "nhiem_vu_dung_han",
    "text": "Hoàn thành 100% nhiệm vụ được giao, đúng hạn, bảo đảm chất lượng, hiệu quả",
}
NOT_A_FAILURE_CASE = {
    "key": "khong_thuoc_truong_hop_khong_hoan_thanh",
    "text": "Không thuộc trường hợp xếp loại “không hoàn thành nhiệm vụ” (Điều 11 khoản 4: bị kết luận "
    "suy thoái, vi phạm, bị kỷ luật trong năm…)",
}

LEVELS = [
    {
        "order": 1,
        "code": "hoan-thanh-xuat-sac",
        "label": "Hoàn thành xuất sắc nhiệm vụ",
        "min_score": "90",
        "max_score": None,
        "conditions": [
            ALL_TASKS_ON_TIME,
            {"key": "vuot_muc_30", "text": "Có ít nhất 30% nhiệm vụ hoàn thành vượt mức yêu cầu"},
            {
                "key": "khac_phuc_han_che",
                "text": "Đã khắc phục 100% hạn chế, khuyết điểm đã được chỉ ra",
            },
            NOT_A_FAILURE_CASE,
        ],
        "source": "QĐ 366-QĐ/TW Điều 11 khoản 1: “từ 90 điểm trở lên”, đồng thời đáp ứng các điều kiện",
    },
    {
        "order": 2,
        "code": "hoan-thanh-tot",
        "label": "Hoàn thành tốt nhiệm vụ",
        "min_score": "70",
        "max_score": "90",
        "conditions": [ALL_TASKS_ON_TIME, NOT_A_FAILURE_CASE],
        "source": "QĐ 366-QĐ/TW Điều 11 khoản 2: “từ 70 điểm đến dưới 90 điểm”, đồng thời đáp ứng điều kiện",
    },
    {
        "order": 3,
        "code": "hoan-thanh",
        "label": "Hoàn thành nhiệm vụ",
        "min_score": "50",
        "max_score": "70",
        "conditions": [
            {
                "key": "nhiem_vu_100_tre_han_duoi_20",
                "text": "Hoàn thành 100% nhiệm vụ được giao; số nhiệm vụ chưa bảo đảm tiến độ không quá 20%",
            },
            NOT_A_FAILURE_CASE,
        ],
        "source": "QĐ 366-QĐ/TW Điều 11 khoản 3: “từ 50 điểm đến dưới 70 điểm” (điều kiện ghi theo bản trích "
        "đối với tập thể; chưa đối chiếu nguyên văn đối với cá nhân)",
    },
    {
        "order": 4,
        "code": "khong-hoan-thanh",
        "label": "Không hoàn thành nhiệm vụ",
        "min_score": "0",
        "max_score": "50",
        "conditions": [],
        "source": "QĐ 366-QĐ/TW Điều 11 khoản 4: dưới 50 điểm hoặc thuộc một trong các trường hợp của khoản này",
    },
]

SCHEMES = [
    (2025, "Xếp loại chất lượng đảng viên năm 2025 (Quy định 366-QĐ/TW)", SOURCE),
    (
        2026,
        "Xếp loại chất lượng đảng viên năm 2026 (Quy định 366-QĐ/TW)",
        SOURCE + " Năm 2026: chưa thấy văn bản mới trong các nguồn đã đọc, áp dụng như năm 2025.",
    ),
]


def load(apps, schema_editor):
    RatingScheme = apps.get_model("ratings", "RatingScheme")
    RatingLevel = apps.get_model("ratings", "RatingLevel")
    for year, name, source in SCHEMES:
        scheme, created = RatingScheme.objects.get_or_create(year=year, defaults={"name": name, "source": source})
        if not created:
            continue
        RatingLevel.objects.bulk_create(RatingLevel(scheme=scheme, **level) for level in LEVELS)


def unload(apps, schema_editor):
    RatingScheme = apps.get_model("ratings", "RatingScheme")
    RatingScheme.objects.filter(year__in=[year for year, _, _ in SCHEMES], name__in=[n for _, n, _ in SCHEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_rating_schemes_and_ratings")]

    operations = [migrations.RunPython(load, unload)]
