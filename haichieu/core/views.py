from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .health import health_report


@never_cache
def healthz(request):
    """For the load balancer and the containers' health checks: no sign-in, no personal data."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
