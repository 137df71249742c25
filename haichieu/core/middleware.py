"""Keeps the current request's origin (IP address) for the audit log."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("haichieu_current_ip", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
