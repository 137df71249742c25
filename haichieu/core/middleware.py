"""Keeps the current request's origin (IP address) for the audit log; refuses malformed input."""

from contextvars import ContextVar

from django.core.exceptions import BadRequest

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


class MalformedInputMiddleware:
    """A request whose query or form holds a NUL character answers 400 Bad Request.

    No field takes one (Django's form fields refuse it), but a view that reads a parameter itself
    would pass it to the database, and PostgreSQL refuses NUL in text: a server error. Multipart
    bodies are left to the view, which may set its upload handlers before the body is read
    (members/views_import.py); their fields go through forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        parts = [request.GET]
        if request.method == "POST" and not request.content_type.startswith("multipart/"):
            parts.append(request.POST)
        for part in parts:
            for key, values in part.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("Yêu cầu chứa ký tự không hợp lệ.")
        return self.get_response(request)
