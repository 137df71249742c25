"""The page size a list page was asked for, within the deployment's limits."""

from django.conf import settings


def page_size(request) -> int:
    """`?size=` as asked, between 1 and MAX_PAGE_SIZE; the default page size when absent or not a number."""
    default = settings.HAICHIEU["MEMBER_PAGE_SIZE"]
    try:
        size = int(request.GET.get("size", default))
    except ValueError:
        return default
    return max(1, min(size, settings.HAICHIEU["MAX_PAGE_SIZE"]))
