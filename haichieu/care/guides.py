"""The one-page guide of each role (issue 13: seed 003 names the cell secretaries' lack of training
as a cause of formality): what to do, in which order, on which page of the application.

The guides are a kind of Word document a province may adapt (`role_guide`, haichieu/documents): the
default template is laid out here by python-docx from a context whose values are the placeholders
themselves (as liaisons/document_kinds.py does), and each download fills the template in force for
the user's province with one role's steps. The steps follow DESIGN.md's workflows; each names the
page by its menu label and its path (reversed, so a renamed URL changes the guide).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from docx.document import Document as DocxDocument
from docx.shared import Pt

from haichieu.access import roles_in_force, scope_for
from haichieu.access.scope import (
    GUIDE_COMMUNE_STAFF,
    GUIDE_MEMBER,
    GUIDE_PROVINCE,
    GUIDE_RESIDENCE_CELL,
    GUIDE_WORKPLACE_CELL,
    GUIDE_WORKPLACE_STAFF,
)
from haichieu.core import documents as layout
from haichieu.documents import engine
from haichieu.documents.registry import register
from haichieu.organizations.models import Organization

KIND = "role_guide"
TITLE = "HƯỚNG DẪN LÀM VIỆC TRÊN PHẦN MỀM HAI CHIỀU"
SOURCE = (
    "Theo Quy định 213-QĐ/TW ngày 02/01/2020 về trách nhiệm của đảng viên đang công tác thường xuyên "
    "giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú, Hướng dẫn 33-HD/BTCTW."
)
CONTACT = "Khi cần hỗ trợ: liên hệ ban tổ chức cấp ủy cấp trên hoặc quản trị hệ thống của tỉnh."


@dataclass(frozen=True)
class Step:
    action: str
    page: str  # the menu label or the page's heading
    url: str  # a URL name (no arguments)


@dataclass(frozen=True)
class Guide:
    role: str
    purpose: str
    steps: tuple[Step, ...]
    tips: tuple[str, ...]


CARE = Step(
    "Xem “Dữ liệu cần xử lý”: trùng số CCCD, thiếu nơi cư trú, ngày tháng vô lý, hồ sơ gắn tổ chức "
    "đã ngừng hoạt động; mở từng hồ sơ và sửa (hoặc báo bên giữ hồ sơ sửa).",
    "Dữ liệu cần xử lý",
    "care:overview",
)

GUIDES: dict[str, Guide] = {
    GUIDE_PROVINCE: Guide(
        "Ban tổ chức tỉnh ủy, thành ủy",
        "Nắm việc giới thiệu, tiếp nhận đảng viên trong toàn tỉnh, đôn đốc cấp ủy chậm, giữ dữ liệu đúng.",
        (
            Step(
                "Xem tỷ lệ giới thiệu của từng cấp ủy; bấm vào mỗi con số để xem danh sách đứng sau nó.",
                "Giữ mối liên hệ nơi cư trú",
                "liaisons:coverage",
            ),
            Step(
                "Chỉ định đảng ủy xã, phường, đặc khu tiếp nhận cho từng xã; khi sáp nhập, giải thể thì "
                "chuyển, ngừng hoạt động tổ chức trên cây tổ chức.",
                "Tổ chức đảng",
                "organizations:tree",
            ),
            Step(
                "Điều chỉnh mẫu giấy giới thiệu, thông báo biến động, sổ theo dõi và bản hướng dẫn này "
                "theo cách trình bày của tỉnh.",
                "Mẫu văn bản",
                "documents:index",
            ),
            CARE,
            Step(
                "Đọc văn bản đến: cấp ủy trực thuộc báo thay đổi, nhắc việc quá hạn.",
                "Văn bản đến",
                "liaisons:inbox",
            ),
            Step(
                "Kiểm tra ai đã xem, xuất, sửa hồ sơ đảng viên trong tỉnh.",
                "Nhật ký truy cập",
                "audit:log",
            ),
            Step(
                "Đối chiếu thời hạn, diện đảng viên đang áp dụng với văn bản mới của Trung ương.",
                "Quy định",
                "liaisons:rules",
            ),
        ),
        (
            "Tài khoản ban tổ chức tỉnh phải bật xác thực hai bước (Tài khoản của tôi).",
            "Số liệu trên các trang là số của phạm vi tài khoản: cả tỉnh.",
        ),
    ),
    GUIDE_WORKPLACE_STAFF: Guide(
        "Cán bộ tổ chức, cấp ủy nơi công tác (đảng ủy cơ sở)",
        "Giới thiệu đảng viên về nơi cư trú, thông báo biến động, nắm nhận xét của nơi cư trú.",
        (
            Step(
                "Giữ danh sách đảng viên đúng: thêm, sửa hồ sơ hoặc nhập từ tệp Excel; mỗi đảng viên "
                "phải có xã, phường và thôn, tổ dân phố cư trú.",
                "Đảng viên",
                "members:list",
            ),
            Step(
                "Lọc “Chưa giới thiệu”, chọn đảng viên, bấm Giới thiệu, xem trước rồi Xác nhận; in giấy "
                "giới thiệu (Mẫu 1-213, 2-213) trình ký.",
                "Giữ mối liên hệ nơi cư trú",
                "liaisons:coverage",
            ),
            Step(
                "Theo dõi giới thiệu bị trả lại, phiếu tiếp nhận, báo không còn cư trú; giới thiệu lại khi "
                "đã sửa địa chỉ.",
                "Văn bản đến",
                "liaisons:inbox",
            ),
            Step(
                "Khi đảng viên chuyển nơi ở, đổi chức vụ, chuyển công tác: ghi biến động trên trang hồ sơ "
                "đảng viên (nút “Ghi biến động”).",
                "Đảng viên",
                "members:list",
            ),
            Step(
                "Hết mỗi kỳ, gửi thông báo danh sách biến động (có số văn bản) cho đảng ủy nơi cư trú.",
                "Danh sách biến động",
                "liaisons:digests",
            ),
            Step(
                "Xem đảng viên của đơn vị tham gia sinh hoạt nơi cư trú, ai vắng nhiều kỳ liền.",
                "Sinh hoạt nơi cư trú",
                "meetings:workplace",
            ),
            CARE,
        ),
        (
            "Giới thiệu trong hạn tính từ ngày kết nạp, chuyển đến hoặc bị trả lại (xem trang Quy định).",
            "Đảng viên diện miễn (HD 33) vẫn được giới thiệu, dùng Mẫu 2-213.",
        ),
    ),
    GUIDE_WORKPLACE_CELL: Guide(
        "Bí thư, chi ủy viên chi bộ nơi công tác",
        "Giữ hồ sơ đảng viên của chi bộ đúng, để cấp ủy giới thiệu kịp thời và nắm việc ở nơi cư trú.",
        (
            Step(
                "Kiểm tra danh sách đảng viên chi bộ: nơi cư trú, điện thoại, chức vụ; sửa ngay khi có thay đổi.",
                "Đảng viên",
                "members:list",
            ),
            Step(
                "Xem đảng viên nào của chi bộ chưa giới thiệu, bị trả lại, chờ tiếp nhận; báo cấp ủy.",
                "Giữ mối liên hệ nơi cư trú",
                "liaisons:coverage",
            ),
            Step(
                "Đảng viên chuyển nơi ở: ghi biến động trên trang hồ sơ đảng viên để nơi cư trú cũ, mới được báo.",
                "Đảng viên",
                "members:list",
            ),
            Step(
                "Xem kết quả sinh hoạt nơi cư trú của đảng viên chi bộ trước khi đánh giá cuối năm.",
                "Sinh hoạt nơi cư trú",
                "meetings:workplace",
            ),
            Step(
                "Đảng viên xin miễn công tác và sinh hoạt đảng: ghi quyết định, thời hạn, đơn.",
                "Miễn công tác, sinh hoạt",
                "exemptions:overview",
            ),
            CARE,
        ),
        ("Mỗi lần mở hồ sơ đầy đủ của đảng viên đều được ghi nhật ký.",),
    ),
    GUIDE_COMMUNE_STAFF: Guide(
        "Cán bộ đảng ủy xã, phường, đặc khu (nơi cư trú)",
        "Tiếp nhận đảng viên được giới thiệu về, phân về chi bộ, báo lại nơi công tác.",
        (
            Step(
                "Mở danh sách giới thiệu đến; trong hạn tiếp nhận, chọn chi bộ tổ dân phố, thôn để tiếp "
                "nhận, hoặc trả lại có lý do (không thuộc địa bàn, sai địa chỉ).",
                "Tiếp nhận đảng viên",
                "liaisons:residence_incoming",
            ),
            Step(
                "Theo dõi chi bộ nơi cư trú: đảng viên theo tổ, nhóm, người theo dõi, sổ theo dõi.",
                "Chi bộ nơi cư trú",
                "liaisons:residence_cells",
            ),
            Step(
                "Xác nhận hoặc không xác nhận báo “không còn cư trú” của chi bộ; nơi công tác được báo tự động.",
                "Báo không còn cư trú",
                "liaisons:residence_departures",
            ),
            Step(
                "Đọc thông báo biến động của nơi công tác (chuyển đi, đổi chức vụ…).",
                "Thông báo biến động",
                "liaisons:notices",
            ),
            Step("Đọc văn bản đến, nhắc việc quá hạn tiếp nhận.", "Văn bản đến", "liaisons:inbox"),
            CARE,
        ),
        ("Hạn tiếp nhận tính từ ngày giới thiệu (xem trang Quy định).",),
    ),
    GUIDE_RESIDENCE_CELL: Guide(
        "Bí thư, chi ủy viên chi bộ thôn, tổ dân phố (nơi cư trú)",
        "Nắm đảng viên đang công tác về sinh hoạt, mời họp, điểm danh, báo khi đảng viên không còn ở.",
        (
            Step(
                "Mở “Chi bộ của tôi”: đảng viên theo tổ, nhóm; tìm theo tên không cần dấu.",
                "Chi bộ nơi cư trú",
                "liaisons:residence_cells",
            ),
            Step(
                "Đảng viên mới được tiếp nhận về chi bộ: xác nhận, phân tổ, nhóm và cử người theo dõi "
                "(trên trang hồ sơ của đảng viên).",
                "Chi bộ nơi cư trú",
                "liaisons:residence_cells",
            ),
            Step(
                "Lập kỳ sinh hoạt với đảng viên đang công tác (6 tháng một lần hoặc khi cần); phần mềm "
                "mời đúng người và báo nơi công tác.",
                "Sinh hoạt",
                "meetings:list",
            ),
            Step(
                "Tại buổi họp, mở buổi họp, điểm danh trên điện thoại hoặc cho đảng viên quét mã QR; ghi "
                "ý kiến đóng góp; họp xong thì đóng buổi họp.",
                "Sinh hoạt",
                "meetings:list",
            ),
            Step(
                "Đảng viên không còn ở địa phương: trên trang hồ sơ, bấm “Báo không còn cư trú”; đảng ủy "
                "xã, phường xác nhận.",
                "Chi bộ nơi cư trú",
                "liaisons:residence_cells",
            ),
        ),
        (
            "Mất mạng khi điểm danh: các lần chạm được giữ lại và tự gửi khi có mạng.",
            "Đảng viên diện miễn (HD 33) không có trong danh sách mời họp.",
        ),
    ),
    GUIDE_MEMBER: Guide(
        "Đảng viên",
        "Xem hồ sơ giữ mối liên hệ nơi cư trú của mình, lịch sinh hoạt, và ai đã xem hồ sơ.",
        (
            Step("Xem tài khoản, vai trò, hồ sơ đảng viên của tôi.", "Tài khoản của tôi", "profile"),
            Step(
                "Xem lịch sinh hoạt nơi cư trú, tải lịch vào điện thoại.",
                "Sinh hoạt của tôi",
                "meetings:mine",
            ),
            Step(
                "Tại buổi họp, quét mã QR chi bộ đưa ra rồi bấm xác nhận để điểm danh.",
                "Điểm danh",
                "meetings:check_in",
            ),
            Step(
                "Xem ai đã xem, xuất hồ sơ của tôi; tải dữ liệu của tôi.",
                "Ai đã xem hồ sơ của tôi",
                "audit:own_reads",
            ),
        ),
        (
            "Khi chuyển nơi ở, đổi điện thoại: báo chi bộ nơi công tác để cập nhật và báo nơi cư trú.",
            "Bật xác thực hai bước để bảo vệ tài khoản.",
        ),
    ),
}

PLACEHOLDERS = {
    "province": "Tên đảng bộ tỉnh, thành phố (chữ in hoa), trống khi không rõ",
    "title": "Tiêu đề hướng dẫn",
    "role": "Vai trò được hướng dẫn",
    "purpose": "Việc chính của vai trò",
    "steps[].number": "Số thứ tự bước",
    "steps[].action": "Việc cần làm",
    "steps[].page": "Tên trang trong phần mềm",
    "steps[].path": "Đường dẫn của trang (“/lien-he/”)",
    "tips[]": "Một lưu ý",
    "source": "Căn cứ (quy định, hướng dẫn)",
    "contact": "Nơi hỏi khi cần hỗ trợ",
}
HEADER = ("Bước", "Việc cần làm", "Trang")


def _guide(doc: DocxDocument, ctx: dict) -> None:
    """The guide's layout: the province, the title, the role and what it is for, the steps as a
    table, the tips, the source and whom to ask. `ctx` holds values or placeholders."""
    layout.paragraph(doc, ctx["province"], size=11, align="center", space_after=0)
    layout.paragraph(doc, ctx["title"], bold=True, size=14, align="center", space_after=2)
    layout.paragraph(doc, ctx["role"], bold=True, align="center", space_after=4)
    layout.paragraph(doc, ctx["purpose"], italic=True, size=12, align="justify", space_after=6)
    layout.rows_table(doc, HEADER, ctx["steps"], widths=[1.6, 9, 4], font_size=12)
    layout.paragraph(doc, "Lưu ý:", bold=True, size=12, space_after=0).paragraph_format.space_before = Pt(6)
    for line in ctx["tips"]:
        layout.paragraph(doc, line, size=12, space_after=0)
    layout.paragraph(
        doc, ctx["source"], italic=True, size=11, align="justify"
    ).paragraph_format.space_before = Pt(6)
    layout.paragraph(doc, ctx["contact"], italic=True, size=11)


def guide_template() -> bytes:
    """The template that ships: the layout fed the placeholders."""
    ctx = {
        "province": "{{ province }}",
        "title": "{{ title }}",
        "role": "{{ role }}",
        "purpose": "{{ purpose }}",
        "steps": [
            ["{%tr for step in steps %}", "", ""],
            ["{{ step.number }}", "{{ step.action }}", "{{ step.page }} ({{ step.path }})"],
            ["{%tr endfor %}", "", ""],
        ],
        "tips": ["{%p for tip in tips %}", "– {{ tip }}", "{%p endfor %}"],
        "source": "{{ source }}",
        "contact": "{{ contact }}",
    }
    doc = layout.new_document()
    _guide(doc, ctx)
    return layout.docx_bytes(doc)


def guide_context(role: str, *, province: str = "") -> dict:
    """The plain data of one role's guide."""
    guide = GUIDES[role]
    return {
        "province": province,
        "title": TITLE,
        "role": guide.role,
        "purpose": guide.purpose,
        "steps": [
            {"number": number, "action": step.action, "page": step.page, "path": reverse(step.url)}
            for number, step in enumerate(guide.steps, start=1)
        ],
        "tips": list(guide.tips),
        "source": SOURCE,
        "contact": CONTACT,
    }


def guide_sample() -> dict:
    return guide_context(GUIDE_WORKPLACE_STAFF, province="ĐẢNG BỘ THÀNH PHỐ HÀ NỘI")


def register_kind() -> None:
    """Register the role guide (from CareConfig.ready)."""
    register(KIND, "Hướng dẫn một trang cho từng vai trò", guide_template, PLACEHOLDERS, guide_sample)


def _issuer(user) -> Organization | None:
    """Whose province's template the user's guide comes from: the organisation of the user's first
    role in force, else the workplace cell of the user's own record; None for neither."""
    role = roles_in_force(user).first()
    if role is not None:
        return role.organization
    member_id = scope_for(user).member_id
    if member_id is not None:
        return Organization.objects.filter(members__pk=member_id).first()
    return None


def guide_document(role: str, user) -> DocxDocument:
    """One role's guide from the template in force for the user's province (the default without one).
    Raises engine.TemplateRenderError when a province's template cannot be filled."""
    issuer = _issuer(user)
    province = ""
    if issuer is not None:
        top = Organization.objects.filter(path=issuer.root_path).values_list("name", flat=True).first()
        province = layout.vn_upper(top or "")
    return engine.render(KIND, issuer, [guide_context(role, province=province)])
