#!/bin/sh
# Runs every test on SQLite, then again on PostgreSQL when DATABASE_URL is set.
set -e
BIN=.venv/bin
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# One worker per core (pytest-xdist; TEST_WORKERS=0 runs them in this process). The transactional
# tests go last, a file's together (conftest.py says why).
PARALLEL="-n ${TEST_WORKERS:-auto} --dist loadgroup --no-loadscope-reorder"
status=0
echo "=== Tests on SQLite ==="
env -u DATABASE_URL $BIN/pytest -q $PARALLEL "$@" || status=$?
if [ -n "$DATABASE_URL" ]; then
  echo "=== Tests on PostgreSQL ($DATABASE_URL) ==="
  $BIN/pytest -q $PARALLEL "$@" || status=$?
fi
exit $status
