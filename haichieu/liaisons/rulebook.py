"""Every rule the software applies, where it comes from, and who set it: the national texts or this
deployment (issue 10, items 8 and 9).

Regulation 213-QĐ/TW is due to be replaced (Kết luận 229-KL/TW, 05/01/2026). Its deadlines and
categories are settings (`settings.HAICHIEU["RULES"]`); this registry says, for each key, what it
means, how its value reads, which document and article it comes from, and whether the texts fix it
(national) or the deployment does (its own rule: the day counts the texts do not give). The cell
meetings' settings (`HAICHIEU["MEETINGS"]`, issue 11) are listed the same way; a rule of the software
itself (how long a check-in code lives) has no source. A value
that differs from what the texts fix is shown as changed by the deployment. The rules page
(`/lien-he/quy-dinh/`) lists it all; a test fails when a RULES key has no entry here.

Sources read (12/2026): HD 33-HD/BTCTW §1.1 and the first indent of §1.2, as restated by
hethongphapluat.vn and thuviennhadat.vn; the rest of §1.2 was not found in the sources read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from haichieu.exemptions import rules as exemption_rules
from haichieu.exemptions.models import Exemption
from haichieu.members.models import Member

from . import rules as liaison_rules
from .models import ChangeNotice


class Origin(models.TextChoices):
    NATIONAL = "national", "Văn bản của Trung ương"
    LOCAL = "local", "Quy định riêng của đơn vị triển khai"


@dataclass(frozen=True)
class Document:
    """A text the rules come from, as an office cites it."""

    kind: str  # "Quy định", "Hướng dẫn", "Kết luận"
    symbol: str  # "213-QĐ/TW"
    date: str  # dd/mm/yyyy, or mm/yyyy when the day was not read
    issuer: str
    subject: str
    status: str = ""  # in force, replaced by …, asks to replace …

    @property
    def name(self) -> str:
        return f"{self.kind} số {self.symbol}"

    @property
    def short(self) -> str:
        """How a rule's source names it: 'QĐ 213-QĐ/TW'."""
        return f"{self.symbol.split('-')[1].split('/')[0]} {self.symbol}"


DOCUMENTS: dict[str, Document] = {
    "QD213": Document(
        "Quy định",
        "213-QĐ/TW",
        "02/01/2020",
        "Bộ Chính trị",
        "Về trách nhiệm của đảng viên đang công tác thường xuyên giữ mối liên hệ với tổ chức đảng và "
        "nhân dân nơi cư trú",
        "Đang áp dụng; Kết luận số 229-KL/TW (05/01/2026) yêu cầu thay thế, chưa thấy văn bản thay thế "
        "trong các nguồn đã đọc.",
    ),
    "HD33": Document(
        "Hướng dẫn",
        "33-HD/BTCTW",
        "30/10/2020",
        "Ban Tổ chức Trung ương",
        "Thực hiện một số nội dung trong Quy định số 213-QĐ/TW",
        "Đang áp dụng (hướng dẫn Quy định 213).",
    ),
    "HD36": Document(
        "Hướng dẫn",
        "36-HD/VPTW",
        "03/04/2018",
        "Văn phòng Trung ương Đảng",
        "Thể thức và kỹ thuật trình bày văn bản của Đảng",
        "Đang áp dụng.",
    ),
    "HD12": Document(
        "Hướng dẫn",
        "12-HD/BTCTW",
        "18/01/2022",
        "Ban Tổ chức Trung ương",
        "Nghiệp vụ công tác đảng viên",
        "Viện dẫn Quy định số 24-QĐ/TW, nay đã được thay thế bởi Quy định số 232-QĐ/TW (01/2025) và "
        "Quy định số 294-QĐ/TW (05/2025): đối chiếu với các quy định này.",
    ),
    "QD24": Document(
        "Quy định",
        "24-QĐ/TW",
        "30/07/2021",
        "Ban Chấp hành Trung ương",
        "Thi hành Điều lệ Đảng",
        "Đã được thay thế bởi Quy định số 232-QĐ/TW (01/2025) và Quy định số 294-QĐ/TW (05/2025).",
    ),
    "QD232": Document(
        "Quy định",
        "232-QĐ/TW",
        "01/2025",
        "Ban Chấp hành Trung ương",
        "Thi hành Điều lệ Đảng",
        "Thay thế QĐ 24.",
    ),
    "QD294": Document(
        "Quy định",
        "294-QĐ/TW",
        "26/05/2025",
        "Ban Chấp hành Trung ương",
        "Thi hành Điều lệ Đảng",
        "Đang áp dụng.",
    ),
    "HD27": Document(
        "Hướng dẫn",
        "27-HD/BTCTW",
        "26/03/2009",
        "Ban Tổ chức Trung ương",
        "Về việc miễn công tác và sinh hoạt đảng đối với đảng viên",
        "Điểm 1.1 đã đối chiếu; các quy định thi hành Điều lệ Đảng sau đó (QĐ 24, nay QĐ 232 và QĐ 294, "
        "hiệu lực từ 01/07/2025) vẫn quy định việc đảng viên xin miễn công tác và sinh hoạt đảng: đối chiếu "
        "với các quy định này.",
    ),
    "QD366": Document(
        "Quy định",
        "366-QĐ/TW",
        "30/08/2025",
        "Bộ Chính trị",
        "Kiểm điểm, đánh giá, xếp loại chất lượng đối với tập thể, cá nhân trong hệ thống chính trị",
        "Đang áp dụng (thay Quy định số 124-QĐ/TW).",
    ),
    "HD43": Document(
        "Hướng dẫn",
        "43-HD/BTCTW",
        "31/10/2025",
        "Ban Tổ chức Trung ương",
        "Hướng dẫn Quy định số 366-QĐ/TW về đánh giá, xếp loại chất lượng",
        "Đang áp dụng.",
    ),
    "KL229": Document(
        "Kết luận",
        "229-KL/TW",
        "05/01/2026",
        "Bộ Chính trị",
        "Yêu cầu thay thế Quy định số 213-QĐ/TW",
        "Chưa thấy văn bản thay thế trong các nguồn đã đọc: khi có, đối chiếu từng quy định trên trang này.",
    ),
}


@dataclass(frozen=True)
class Source:
    document: str  # a DOCUMENTS key
    article: str = ""  # "Điều 3", "điểm 1.1"
    says: str = ""  # what the text says, in its words, when short

    def __str__(self) -> str:
        parts = [DOCUMENTS[self.document].short]
        if self.article:
            parts.append(self.article)
        text = ", ".join(parts)
        return f"{text}: “{self.says}”" if self.says else text


def _days(value: Any) -> str:
    return f"{value} ngày"


def _months(value: Any) -> str:
    return {1: "1 tháng (hằng tháng)", 3: "3 tháng (hằng quý)", 6: "6 tháng"}.get(value, f"{value} tháng")


def _meetings(value: Any) -> str:
    return f"{value} buổi"


def _categories(values: Iterable[str]) -> str:
    labels = dict(Member.LiaisonCategory.choices)
    return "; ".join(labels.get(v, v) for v in values) or "—"


def _events(values: Iterable[str]) -> str:
    labels = dict(ChangeNotice.Kind.choices)
    return "; ".join(labels.get(v, v) for v in values) or "—"


def _reasons(values: Iterable[str]) -> str:
    labels = dict(Exemption.Reason.choices)
    return "; ".join(labels.get(v, v) for v in values) or "—"


def _lifts(values: Iterable[str]) -> str:
    labels = dict(exemption_rules.Lift.choices)
    return "; ".join(labels.get(v, v) for v in values) or "—"


def _task_kinds(values: Iterable[Any]) -> str:
    return "; ".join(str(label) for _, label in values) or "—"


def _yes_no(value: Any) -> str:
    return "Có" if value else "Không"


def _symbol(value: Any) -> str:
    return f"{value} (Số …-{value}/…)"


def _meetings(value: Any) -> str:
    return f"{value} buổi"


def _seconds(value: Any) -> str:
    return f"{value} giây"


def _weight(value: Any) -> str:
    return f"trọng số {value}" if value else "không tính (trọng số 0)"


def _agenda_templates(values: Iterable) -> str:
    return "; ".join(str(template[1]) for template in values) or "—"


# The settings the registry covers: HAICHIEU[group], every key with an entry here.
SETTING_GROUPS = ("RULES", "MEETINGS", "REVIEW")


@dataclass(frozen=True)
class Rule:
    """One key of HAICHIEU["RULES"]: what it means, how its value reads, where it comes from."""

    key: str
    section: str
    label: str
    origin: Origin  # of the default value
    sources: tuple[Source, ...]
    explanation: str
    formatter: Callable[[Any], str]
    # The value the texts fix, when they fix one: a setting that differs is the deployment's own.
    text_value: Any = None
    # The HAICHIEU group the key lives in (most are RULES; the meetings' are MEETINGS).
    setting: str = "RULES"

    def value(self) -> Any:
        if self.setting == "RULES":
            return liaison_rules.rules()[self.key]
        return settings.HAICHIEU[self.setting][self.key]


# Where each category comes from, and what the text makes of it (the settings decide what the
# software does: a category the settings treat otherwise is shown as the deployment's own).
C = Member.LiaisonCategory
R = liaison_rules.CategoryRule
CATEGORY_SOURCES: dict[str, tuple[Source, str]] = {
    C.REGULAR: (Source("QD213", "Điều 1, Điều 2"), R.REGULAR),
    C.BARRACKS: (Source("HD33", "điểm 1.1, gạch đầu dòng thứ nhất"), R.EXCUSED),
    C.MOBILE: (Source("HD33", "điểm 1.1, gạch đầu dòng thứ hai"), R.EXCUSED),
    C.ROTATED: (Source("HD33", "điểm 1.1, gạch đầu dòng thứ hai"), R.EXCUSED),
    C.STUDY: (Source("HD33", "điểm 1.1, gạch đầu dòng thứ ba"), R.EXCUSED),
    C.STUDENT: (Source("HD33", "điểm 1.1, gạch đầu dòng thứ ba"), R.EXCUSED),
    C.SECRET: (Source("HD33", "điểm 1.2, gạch đầu dòng thứ nhất"), R.NOT_INTRODUCED),
    C.STANDBY: (Source("HD33", "điểm 1.2, gạch đầu dòng thứ nhất"), R.NOT_INTRODUCED),
}


def _text_categories(rule: str) -> list[str]:
    """The categories the text puts under `rule` (a CategoryRule)."""
    return [category for category, (_, text_rule) in CATEGORY_SOURCES.items() if text_rule == rule]


DEADLINES = "Thời hạn"
CATEGORIES = "Diện đảng viên"
NOTICES = "Thông báo biến động"
PAPERS = "Văn bản"
EXEMPTIONS = "Miễn công tác và sinh hoạt đảng"
MEETINGS = "Sinh hoạt chi bộ"
COMMENTS = "Nhận xét đảng viên nơi cư trú"
SCORE = "Điểm thực hiện Quy định 213 của tổ chức đảng"
_SCORE_NOTE = (
    " Điểm là tỷ lệ của từng thành phần nhân trọng số, chia cho tổng trọng số các thành phần có số liệu "
    "(thành phần không có việc gì để tính thì bỏ ra); cấp trên có thể tham khảo khi đánh giá, xếp loại tổ "
    "chức cơ sở đảng (Quy định 366). Văn bản không quy định cách tính điểm này: thành phần và trọng số là "
    "quy định riêng của đơn vị triển khai."
)

RULEBOOK: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            "INTRODUCE_WITHIN_DAYS",
            DEADLINES,
            "Giới thiệu đảng viên mới về nơi cư trú",
            Origin.LOCAL,
            (Source("QD213", "Điều 3", "hằng tháng"),),
            "Văn bản quy định giới thiệu hằng tháng, không quy định số ngày; số ngày kể từ ngày vào Đảng "
            "là quy định riêng của đơn vị triển khai. Quá hạn thì danh sách và lời nhắc báo “quá hạn giới thiệu”.",
            _days,
        ),
        Rule(
            "RECEIVE_WITHIN_DAYS",
            DEADLINES,
            "Đảng ủy xã, phường tiếp nhận (hoặc trả lại) giấy giới thiệu",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"),),
            "Văn bản không quy định số ngày tiếp nhận: đây là quy định riêng của đơn vị triển khai.",
            _days,
        ),
        Rule(
            "DIGEST_EVERY_MONTHS",
            DEADLINES,
            "Kỳ thông báo danh sách đảng viên có biến động",
            Origin.NATIONAL,
            (Source("QD213", "Điều 3", "hằng quý"),),
            "Cấp ủy nơi công tác thông báo cho cấp ủy nơi cư trú các biến động của mỗi kỳ.",
            _months,
            text_value=3,
        ),
        Rule(
            "DIGEST_GRACE_DAYS",
            DEADLINES,
            "Hạn gửi thông báo biến động sau khi hết kỳ",
            Origin.LOCAL,
            (Source("QD213", "Điều 3", "hằng quý"),),
            "Văn bản không quy định số ngày sau khi hết kỳ: đây là quy định riêng của đơn vị triển khai.",
            _days,
        ),
        Rule(
            "EXCUSED_CATEGORIES",
            CATEGORIES,
            "Giới thiệu nhưng được miễn sinh hoạt nơi cư trú",
            Origin.NATIONAL,
            (Source("HD33", "điểm 1.1"),),
            "Vẫn thực hiện trách nhiệm tại Khoản 1 Điều 1 và nhiệm vụ tại Khoản 1, 2, 5, 6, 7 Điều 2 "
            "Quy định 213; không lấy ý kiến nhận xét định kỳ hằng năm, chỉ khi cần thiết.",
            _categories,
            text_value=_text_categories(R.EXCUSED),
        ),
        Rule(
            "NOT_INTRODUCED_CATEGORIES",
            CATEGORIES,
            "Miễn giới thiệu về tổ chức đảng nơi cư trú",
            Origin.NATIONAL,
            (Source("HD33", "điểm 1.2"),),
            "Các trường hợp này không được giới thiệu và không tính là còn phải giới thiệu. Phần mềm có "
            "các trường hợp đã đối chiếu được với gạch đầu dòng thứ nhất của điểm 1.2.",
            _categories,
            text_value=_text_categories(R.NOT_INTRODUCED),
        ),
        Rule(
            "NOTIFIED_EVENTS",
            NOTICES,
            "Biến động được thông báo cho bên kia",
            Origin.NATIONAL,
            (Source("QD213", "Điều 3"), Source("QD213", "Điều 4")),
            "Biến động không có trong danh sách vẫn được ghi nhận (tình trạng đảng viên, kết thúc giữ mối "
            "liên hệ) nhưng không gửi thông báo.",
            _events,
            text_value=list(ChangeNotice.Kind.values),  # every kind: the texts leave none out
        ),
        Rule(
            "LETTER_SYMBOL",
            PAPERS,
            "Chữ viết tắt tên loại giấy giới thiệu",
            Origin.NATIONAL,
            (Source("HD36"),),
            "Số giấy giới thiệu chạy liên tục trong nhiệm kỳ của cấp ủy, ví dụ “Số 15-GGT/ĐU”.",
            _symbol,
            text_value="GGT",
        ),
        Rule(
            "NOTICE_SYMBOL",
            PAPERS,
            "Chữ viết tắt tên loại thông báo",
            Origin.NATIONAL,
            (Source("HD36"),),
            "Thông báo danh sách đảng viên có biến động là một thông báo có số, ví dụ “Số 3-TB/ĐU”.",
            _symbol,
            text_value="TB",
        ),
        Rule(
            "EXEMPTION_REASONS",
            EXEMPTIONS,
            "Lý do được xét miễn công tác và sinh hoạt đảng",
            Origin.NATIONAL,
            (Source("HD27", "điểm 1.1", "tuổi cao, sức khỏe yếu"), Source("QD294")),
            "Đảng viên làm đơn (hoặc báo cáo trực tiếp) nêu lý do và thời gian xin miễn. Tuổi cao, sức khỏe "
            "yếu theo Hướng dẫn 27 điểm 1.1; đi làm ăn xa, điều trị dài ngày, ra nước ngoài theo thực tiễn các "
            "địa phương đã đọc (chưa đối chiếu được nguyên văn các điểm khác của Hướng dẫn 27 và Quy định 294). "
            "Nơi cư trú chỉ thấy “miễn đến …”, không thấy lý do.",
            _reasons,
        ),
        Rule(
            "EXEMPTION_CELL_DECIDES",
            EXEMPTIONS,
            "Lý do chi bộ tự xét, quyết định (báo cáo cấp ủy cơ sở)",
            Origin.NATIONAL,
            (
                Source("HD27", "điểm 1.1", "chi bộ họp xét, ra nghị quyết … và báo cáo với cấp ủy cơ sở"),
                Source("QD24", "mục 7.1"),
            ),
            "Các lý do khác do đảng ủy cơ sở quyết định theo đề nghị của chi bộ.",
            _reasons,
            text_value=["age_health"],
        ),  # fmt: skip
        Rule(
            "EXEMPTION_LIFTS",
            EXEMPTIONS,
            "Việc được miễn trong thời gian miễn",
            Origin.NATIONAL,
            (Source("HD27", "điểm 1.1"), Source("QD366")),
            "Đảng viên được miễn không được mời sinh hoạt (nơi công tác và nơi cư trú), không giao công tác "
            "đảng và không đánh giá, xếp loại trong thời gian miễn.",
            _lifts,
            text_value=["meetings", "tasks", "rating"],
        ),
        Rule(
            "EXEMPTION_ENDING_WITHIN_DAYS",
            EXEMPTIONS,
            "Báo trước khi hết thời gian miễn",
            Origin.LOCAL,
            (Source("HD27", "điểm 1.1"),),
            "Văn bản không quy định số ngày báo trước: đây là quy định riêng của đơn vị triển khai. Các lần "
            "miễn sắp hết hạn hoặc đã hết hạn mà chưa gia hạn được liệt kê và nhắc việc.",
            _days,
        ),
        Rule(
            "EXPECTED_PER_YEAR",
            MEETINGS,
            "Số buổi chi bộ nơi cư trú họp với đảng viên giữ mối liên hệ mỗi năm",
            Origin.NATIONAL,
            (Source("QD213", "Điều 4", "6 tháng một lần hoặc khi cần thiết"),),
            "Đảng ủy xã, phường chỉ đạo chi bộ nơi cư trú họp với đảng viên giữ mối liên hệ; số buổi đã họp "
            "của mỗi chi bộ trong năm được so với số này. Đảng viên được miễn sinh hoạt nơi cư trú (Hướng dẫn "
            "33) hoặc miễn công tác và sinh hoạt đảng không được mời.",
            _meetings,
            text_value=2,
            setting="MEETINGS",
        ),
        Rule(
            "MIN_ATTENDED_PER_YEAR",
            MEETINGS,
            "Mức tối thiểu: số buổi đảng viên giữ mối liên hệ dự trong năm",
            Origin.LOCAL,
            (Source("QD213", "Điều 4", "6 tháng một lần hoặc khi cần thiết"),),
            "Đảng viên dự ít hơn số buổi này và ít hơn số buổi được mời (không tính buổi được miễn, buổi chưa "
            "điểm danh; vắng có lý do vẫn tính là vắng) là dưới mức tối thiểu. Văn bản không quy định con số: "
            "đây là quy định riêng của đơn vị triển khai, mặc định dự đủ các buổi của năm.",
            _meetings,
            setting="MEETINGS",
        ),
        Rule(
            "MISSED_IN_A_ROW_ALERT",
            MEETINGS,
            "Số buổi vắng liên tiếp thì báo cấp ủy nơi công tác",
            Origin.LOCAL,
            (Source("QD213", "Điều 3, Điều 4"),),
            "Văn bản quy định hai bên trao đổi thông tin về đảng viên, không quy định số buổi vắng: đây là "
            "quy định riêng của đơn vị triển khai. Buổi được miễn không tính.",
            _meetings,
            setting="MEETINGS",
        ),
        Rule(
            "CHECK_IN_ROTATE_SECONDS",
            MEETINGS,
            "Mã QR tự điểm danh đổi sau mỗi",
            Origin.LOCAL,
            (),
            "Mã do phần mềm tạo, ký bằng khóa của máy chủ, chỉ dùng được khi buổi sinh hoạt đang diễn ra.",
            _seconds,
            setting="MEETINGS",
        ),
        Rule(
            "CHECK_IN_VALID_SECONDS",
            MEETINGS,
            "Mã QR tự điểm danh còn dùng được trong",
            Origin.LOCAL,
            (),
            "Quá thời gian này, đảng viên quét lại mã đang hiện trên màn hình của chi bộ.",
            _seconds,
            setting="MEETINGS",
        ),
        Rule(
            "AGENDA_TEMPLATES",
            MEETINGS,
            "Mẫu nội dung sinh hoạt",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"),),
            "Gợi ý khi lập kế hoạch sinh hoạt, sửa được từng buổi; lời văn của mẫu là của đơn vị triển khai.",
            _agenda_templates,
            setting="MEETINGS",
        ),
        Rule(
            "TASK_KINDS",
            MEETINGS,
            "Loại nhiệm vụ chi bộ nơi cư trú giao đảng viên giữ mối liên hệ",
            Origin.LOCAL,
            (
                Source("QD213", "Điều 2"),
                Source("QD213", "Điều 4"),
                Source("HD33", "điểm 1.1", "khoản 1, 2, 5, 6, 7 Điều 2"),
            ),
            "Điều 2 quy định nhiệm vụ của đảng viên ở nơi cư trú, Điều 4 việc chi bộ nơi cư trú tạo điều "
            "kiện để đảng viên thực hiện; văn bản không liệt kê loại nhiệm vụ: danh sách là quy định riêng "
            "của đơn vị triển khai. Nhiệm vụ giao phù hợp với công việc, hoàn cảnh của đảng viên, chỉ cho "
            "đảng viên đã được phân về chi bộ, không thuộc diện miễn sinh hoạt nơi cư trú, không đang được "
            "miễn công tác; cấp ủy nơi đảng viên công tác được thông báo và thấy kết quả (không giao thay "
            "việc của tổ dân phố).",
            _task_kinds,
            setting="MEETINGS",
        ),
        Rule(
            "COMMENT_CONFIRM_BY_COMMUNE",
            COMMENTS,
            "Đảng ủy xã, phường xác nhận nhận xét của chi bộ trước khi gửi nơi công tác",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"), Source("HD33")),
            "Chi ủy chi bộ nơi cư trú nhận xét đảng viên; mẫu phiếu đang dùng có phần xác nhận của đảng ủy "
            "xã, phường. Có: nhận xét chờ đảng ủy xác nhận rồi mới gửi nơi công tác; Không: gửi ngay khi chi "
            "bộ nhận xét. Việc chờ xác nhận trên phần mềm là quy định riêng của đơn vị triển khai.",
            _yes_no,
        ),
        Rule(
            "COMMENT_REMIND_WITHIN_DAYS",
            COMMENTS,
            "Nhắc chi bộ trước hạn trả lời phiếu lấy ý kiến nhận xét",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"),),
            "Văn bản không quy định số ngày nhắc: đây là quy định riêng của đơn vị triển khai. Phiếu chưa trả "
            "lời được nhắc một lần khi sắp đến hạn và một lần khi quá hạn.",
            _days,
        ),
        Rule(
            "SCORE_COVERAGE",
            SCORE,
            "Điểm: tỷ lệ đảng viên đã giới thiệu về nơi cư trú",
            Origin.LOCAL,
            (Source("QD213", "Điều 3"), Source("QD366")),
            "Đảng viên đang công tác đã được giới thiệu (đã giới thiệu, đã tiếp nhận, đang sinh hoạt) trên số "
            "đảng viên phải giới thiệu (không tính diện miễn giới thiệu), theo số liệu hiện tại."
            + _SCORE_NOTE,
            _weight,
            setting="REVIEW",
        ),
        Rule(
            "SCORE_RECEPTIONS",
            SCORE,
            "Điểm: tỷ lệ giấy giới thiệu được tiếp nhận (hoặc trả lại) đúng hạn",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"), Source("QD366")),
            "Giấy giới thiệu gửi đảng ủy xã, phường có hạn tiếp nhận trong năm: số được tiếp nhận hoặc trả lại "
            "trong hạn trên số đã đến hạn (hoặc đã xử lý)." + _SCORE_NOTE,
            _weight,
            setting="REVIEW",
        ),
        Rule(
            "SCORE_NOTICES",
            SCORE,
            "Điểm: tỷ lệ thông báo biến động gửi đúng hạn",
            Origin.LOCAL,
            (Source("QD213", "Điều 3", "hằng quý"), Source("QD366")),
            "Mỗi kỳ có biến động phải thông báo cho một cấp ủy nơi cư trú là một thông báo phải gửi: số thông "
            "báo gửi trong hạn trên số thông báo đã đến hạn (hoặc đã gửi) của năm." + _SCORE_NOTE,
            _weight,
            setting="REVIEW",
        ),
        Rule(
            "SCORE_COMMENTS",
            SCORE,
            "Điểm: tỷ lệ phiếu lấy ý kiến nhận xét trả lời đúng hạn",
            Origin.LOCAL,
            (Source("QD213", "Điều 4"), Source("QD366")),
            "Phiếu gửi chi bộ nơi cư trú có hạn trả lời trong năm: số phiếu đã gửi nơi công tác trong hạn trên "
            "số phiếu đã đến hạn (hoặc đã trả lời)." + _SCORE_NOTE,
            _weight,
            setting="REVIEW",
        ),
        Rule(
            "SCORE_ATTENDANCE",
            SCORE,
            "Điểm: tỷ lệ dự sinh hoạt của đảng viên giữ mối liên hệ",
            Origin.LOCAL,
            (Source("QD213", "Điều 4", "6 tháng một lần hoặc khi cần thiết"), Source("QD366")),
            "Số lượt dự trên số lượt phải dự tại các buổi sinh hoạt đã kết thúc của chi bộ nơi cư trú trong năm "
            "(không tính lượt được miễn): của đảng viên tổ chức mình (nơi công tác) hoặc tại các chi bộ của "
            "mình (nơi cư trú)." + _SCORE_NOTE,
            _weight,
            setting="REVIEW",
        ),
    )
}


@dataclass(frozen=True)
class Decision:
    """Who decides what, as the software applies it."""

    label: str
    who: str
    origin: Origin
    source: Source | None = None


DECISIONS: tuple[Decision, ...] = (
    Decision(
        "Giới thiệu đảng viên về nơi cư trú, thông báo biến động",
        "Cấp ủy nơi đảng viên công tác (cấp ủy trên gần nhất của chi bộ)",
        Origin.NATIONAL,
        Source("QD213", "Điều 3"),
    ),
    Decision(
        "Tiếp nhận, trả lại giấy giới thiệu; giới thiệu về chi bộ nơi cư trú",
        "Đảng ủy xã, phường, đặc khu nơi đảng viên cư trú",
        Origin.NATIONAL,
        Source("QD213", "Điều 4"),
    ),
    Decision(
        "Báo đảng viên không còn cư trú tại địa phương",
        "Tổ chức đảng nơi cư trú, thông báo cho cấp ủy nơi công tác",
        Origin.NATIONAL,
        Source("QD213", "Điều 4"),
    ),
    Decision(
        "Xếp đảng viên vào diện miễn sinh hoạt hoặc miễn giới thiệu",
        "Người có quyền sửa hồ sơ đảng viên ở nơi công tác, theo các trường hợp của Hướng dẫn 33",
        Origin.LOCAL,
        Source("HD33", "điểm 1.1, 1.2"),
    ),
    Decision(
        "Miễn công tác và sinh hoạt đảng vì tuổi cao, sức khỏe yếu",
        "Chi bộ nơi đảng viên sinh hoạt xét, ra nghị quyết và báo cáo cấp ủy cơ sở",
        Origin.NATIONAL,
        Source("HD27", "điểm 1.1"),
    ),
    Decision(
        "Miễn công tác và sinh hoạt đảng vì các lý do khác",
        "Đảng ủy cơ sở, theo đề nghị của chi bộ",
        Origin.NATIONAL,
        Source("QD294"),
    ),
    Decision(
        "Đảng ủy phụ trách mỗi xã, phường, đặc khu trên phần mềm",
        "Ban tổ chức cấp tỉnh (người quản lý cấp tỉnh trên phần mềm)",
        Origin.LOCAL,
    ),
    Decision(
        "Mẫu văn bản Word riêng của tỉnh",
        "Ban tổ chức cấp tỉnh; mặc định theo Hướng dẫn 36",
        Origin.LOCAL,
        Source("HD36"),
    ),
)


def _same(value: Any, text_value: Any) -> bool:
    if isinstance(value, list | tuple | set) and isinstance(text_value, list | tuple | set):
        return set(value) == set(text_value)
    return bool(value == text_value)


@dataclass(frozen=True)
class RuleInForce:
    """One rule as the page shows it: the setting's value now, and whose rule it is now."""

    rule: Rule
    value: str
    origin: Origin
    changed_from: str  # what the texts fix, when the deployment changed it; else ""

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def sources(self) -> str:
        return "; ".join(str(s) for s in self.rule.sources)


def rule_in_force(key: str) -> RuleInForce:
    rule = RULEBOOK[key]
    value = rule.value()
    changed = rule.text_value is not None and not _same(value, rule.text_value)
    return RuleInForce(
        rule=rule,
        value=rule.formatter(value),
        origin=Origin.LOCAL if changed else rule.origin,
        changed_from=rule.formatter(rule.text_value) if changed else "",
    )


def rules_in_force() -> list[tuple[str, list[RuleInForce]]]:
    """Every RULES key, by section, in the registry's order."""
    sections: dict[str, list[RuleInForce]] = {}
    for key in RULEBOOK:
        sections.setdefault(RULEBOOK[key].section, []).append(rule_in_force(key))
    return list(sections.items())


@dataclass(frozen=True)
class CategoryInForce:
    value: str
    label: str
    rule: str  # CategoryRule label under the settings
    source: str
    origin: Origin
    text_rule: str  # what the text makes of it, when the settings differ; else ""


def categories_in_force() -> list[CategoryInForce]:
    result = []
    for value, label in Member.LiaisonCategory.choices:
        source, text_rule = CATEGORY_SOURCES[value]
        rule = liaison_rules.category_rule(value)
        changed = rule != text_rule
        result.append(
            CategoryInForce(
                value=value,
                label=label,
                rule=rule.label,
                source=str(source),
                origin=Origin.LOCAL if changed else Origin.NATIONAL,
                text_rule=R(text_rule).label if changed else "",
            )
        )
    return result


def events_in_force() -> list[tuple[str, str, bool]]:
    """(kind, label, notified under the settings) for every change kind."""
    notified = set(liaison_rules.rules()["NOTIFIED_EVENTS"])
    return [(value, label, value in notified) for value, label in ChangeNotice.Kind.choices]


@dataclass(frozen=True)
class DeadlineNote:
    """What a page that shows "Quá hạn" says of the deadline behind it (liaisons/_deadline_note.html)."""

    label: str
    value: str
    origin: Origin
    url: str


def deadline_notes(*keys: str) -> list[DeadlineNote]:
    page = reverse("liaisons:rules")
    notes = []
    for key in keys:
        now = rule_in_force(key)
        notes.append(DeadlineNote(now.rule.label, now.value, now.origin, f"{page}#{key.lower()}"))
    return notes
