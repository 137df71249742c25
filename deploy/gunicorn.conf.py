"""gunicorn settings for Hai Chiều (containers and systemd alike; docs/deploy.md).

Workers from the CPU count (2 × cores + 1, at most 9) unless GUNICORN_WORKERS says otherwise; the
timeout leaves room for an Excel import read in its request (README: 50,000 rows ≈ 15 s to apply).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 9))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (memory held by one large import is given back).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# nginx in front sets X-Forwarded-Proto; gunicorn believes it only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27 opens a control socket at one path per machine user ($HOME/.gunicorn/gunicorn.ctl):
# two app servers on one host (the two-server test, `make load`, systemd instances) would compete
# for it, and nothing here uses it.
control_socket_disable = True
