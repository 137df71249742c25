"""The scan of a member's application: a small PDF, JPEG or PNG, checked by what it holds.

The name and the browser's content type say nothing reliable; the first bytes say what the file
is, and only these three kinds are kept. The size limit is applied while the body is read
(core/uploads.py LimitedUpload) and checked again here.
"""

from __future__ import annotations

from django.conf import settings

from haichieu.core.services import ServiceError

# The first bytes of each kind kept, and the type it is served back as.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def max_bytes() -> int:
    return int(settings.HAICHIEU["EXEMPTION_SCAN_MAX_BYTES"])


def size_text(size: int) -> str:
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def scan_type(content: bytes) -> str:
    """The content type of an acceptable scan; ServiceError (on the field "scan") otherwise."""
    if not content:
        raise ServiceError("Tệp bản chụp đơn rỗng.", field="scan")
    if len(content) > max_bytes():
        raise ServiceError(f"Tệp bản chụp đơn quá lớn: tối đa {size_text(max_bytes())}.", field="scan")
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    raise ServiceError("Bản chụp đơn phải là tệp PDF, JPEG hoặc PNG.", field="scan")
