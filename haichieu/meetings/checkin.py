"""Self check-in codes (issue 11): signed with the server's key (django.core.signing), valid for a
short while, made anew every CHECK_IN_ROTATE_SECONDS, drawn as a QR code by segno (no outside
service). A code names only the meeting; the member is the signed-in user."""

from __future__ import annotations

import segno
from django.core import signing

from haichieu.core.services import ServiceError

from .models import Meeting
from .rules import meeting_settings

SALT = "haichieu.meetings.check-in"
EXPIRED = "Mã điểm danh đã hết hạn: hãy quét lại mã đang hiện trên màn hình của chi bộ."
INVALID = "Mã điểm danh không hợp lệ."


def rotate_seconds() -> int:
    return int(meeting_settings()["CHECK_IN_ROTATE_SECONDS"])


def make_code(meeting: Meeting) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"m": meeting.pk}, compress=False)


def meeting_id_of(code: str) -> int:
    """The meeting a code names; ServiceError when it is forged, malformed or expired."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            code, max_age=int(meeting_settings()["CHECK_IN_VALID_SECONDS"])
        )
    except signing.SignatureExpired as exc:
        raise ServiceError(EXPIRED) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ServiceError(INVALID) from exc
    meeting_id = data.get("m") if isinstance(data, dict) else None
    if not isinstance(meeting_id, int) or meeting_id <= 0:
        raise ServiceError(INVALID)
    return meeting_id


def qr_data_uri(url: str) -> str:
    """The URL as an SVG QR code in a data: URI (the CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2)
