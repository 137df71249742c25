#!/bin/sh
# The app container's start (deploy/compose.yml): migrations, static files, the first administrator,
# then the command given (gunicorn by default). The worker container runs its command directly.
set -eu
if [ "${HAICHIEU_SKIP_SETUP:-0}" != "1" ]; then
    haichieu migrate --noinput
    haichieu collectstatic --noinput -v 0
    haichieu load_units
    haichieu ensure_admin
fi
exec "$@"
