#!/bin/sh
# Runs every test on SQLite, then again on PostgreSQL when DATABASE_URL is set.
set -e
BIN=.venv/bin
export DJANGO_ALLOW_ASYNC_UNSAFE=true
status=0
echo "=== Tests on SQLite ==="
env -u DATABASE_URL $BIN/pytest -q "$@" || status=$?
if [ -n "$DATABASE_URL" ]; then
  echo "=== Tests on PostgreSQL ($DATABASE_URL) ==="
  $BIN/pytest -q "$@" || status=$?
fi
exit $status
