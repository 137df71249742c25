"""`/api/v1/`: the NinjaAPI, its bearer tokens, throttling and errors (Vietnamese, never a 500 for
bad input). The endpoints are in endpoints.py.

Every answer goes through the access rule (haichieu/access) exactly as the pages do: outside the
caller's scope an object is 404, lists hold only what the caller sees.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from haichieu.core.services import ConflictError, ServiceError

from .services import api_token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hc_…`: the token's user becomes `request.user` (the access rule reads
    that user's roles in force); the token is `request.auth`."""

    def authenticate(self, request, token):
        found = api_token_user(token)
        if found is None:
            return None
        request.user = found.user
        return found


class TokenThrottle(SimpleRateThrottle):
    """HAICHIEU["API_RATE"] requests per token (e.g. "120/min"), counted in Django's cache: a
    deployment with several app servers configures a shared cache (docs/api.md)."""

    scope = "api_token"

    def __init__(self):
        super().__init__(rate=settings.HAICHIEU["API_RATE"])

    def allow_request(self, request) -> bool:
        # The rate is read at each request, so a changed setting (and the tests) take effect.
        self.rate = settings.HAICHIEU["API_RATE"]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "auth", None)
        return f"haichieu_api_throttle_{token.pk}" if token is not None else None


api = NinjaAPI(
    title="Hai Chiều API",
    version="1",
    description=(
        "API của Hai Chiều cho các hệ thống khác. Mỗi yêu cầu mang khóa API của một người dùng "
        "(`Authorization: Bearer …`, tạo tại Tài khoản → Khóa API) và chỉ thấy những gì người đó "
        "được xem trên các trang. Xem docs/api.md."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=TokenThrottle(),
    docs_url="/docs",
    # Swagger UI from django-ninja's own files (settings: "ninja" is an installed app), and no
    # badge that asks an outside validator about the schema: nothing leaves the intranet.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)


# --- errors: Vietnamese, and what the pages answer ----------------------------------------------
def _error(request, status: int, detail: str, field: str | None = None):
    body = {"detail": detail}
    if field:
        body["field"] = field
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(request, 401, "Thiếu khóa API hoặc khóa không đúng, đã bị thu hồi.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    # One message whatever the object: its existence is not told (DESIGN.md "Access rule").
    return _error(request, 404, "Không tìm thấy.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "Bạn chỉ có quyền xem.")


@api.exception_handler(ServiceError)
def _refused(request, exc: ServiceError):
    return _error(request, 409 if isinstance(exc, ConflictError) else 422, exc.message, exc.field)


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    wait = int(exc.wait or 1) or 1
    response = _error(request, 429, f"Quá nhiều yêu cầu với khóa API này: hãy thử lại sau {wait} giây.")
    response["Retry-After"] = str(wait)
    return response


# pydantic's error types, in Vietnamese (the rest: "Giá trị không hợp lệ.").
_MESSAGES = {
    "missing": "Thiếu giá trị bắt buộc.",
    "int_parsing": "Phải là một số nguyên.",
    "int_type": "Phải là một số nguyên.",
    "greater_than_equal": "Số quá nhỏ.",
    "less_than_equal": "Số quá lớn.",
    "string_type": "Phải là văn bản.",
    "string_too_long": "Văn bản quá dài.",
    "string_too_short": "Văn bản quá ngắn.",
    "date_parsing": "Ngày không hợp lệ: viết theo dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Ngày không hợp lệ: viết theo dạng YYYY-MM-DD.",
    "date_type": "Ngày không hợp lệ: viết theo dạng YYYY-MM-DD.",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "model_attributes_type": "Nội dung gửi lên phải là một đối tượng JSON.",
    "dict_type": "Nội dung gửi lên phải là một đối tượng JSON.",
}


def _message(error: dict) -> str:
    if error.get("type") == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ") or "Giá trị không hợp lệ."
    return _MESSAGES.get(error.get("type", ""), "Giá trị không hợp lệ.")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    if exc.errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors):
        # A malformed id in the path names no record: 404, as the pages' <id:…> converter answers.
        return _not_found(request, exc)
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": _message(e)} for e in exc.errors]
    return api.create_response(request, {"detail": errors}, status=422)


from . import endpoints  # noqa: E402,F401  (registers the operations on `api`)
