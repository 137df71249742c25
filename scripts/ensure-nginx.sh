#!/bin/sh
# The deployment test puts deploy/nginx/haichieu.conf in front of gunicorn with Debian's nginx, as
# docs/deploy.md installs it on a server. Install it when missing and we are root; otherwise that
# part of the test says why it skips (or fails with HAICHIEU_REQUIRE_NGINX=1). Nothing is started:
# the test runs its own nginx on free loopback ports.
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's nginx for the deployment test…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
    || echo "Could not install nginx: the deployment test's nginx part will skip (or fail with HAICHIEU_REQUIRE_NGINX=1)."
  # Debian's package may start the default site on port 80; the tests need nothing of it.
  if command -v service >/dev/null 2>&1; then service nginx stop >/dev/null 2>&1 || true; fi
else
  echo "nginx is missing and we are not root: the deployment test's nginx part will skip (or fail with HAICHIEU_REQUIRE_NGINX=1)."
fi
