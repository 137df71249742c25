#!/bin/sh
# The accessibility browser tests inject axe-core into each page from a local file (nothing comes
# from outside at test time). Install it from the npm registry into var/axe when it is missing;
# otherwise those tests say why they skip (or fail with HAICHIEU_REQUIRE_BROWSER=1).
AXE_VERSION="4.14.1"
DIR="${HAICHIEU_VAR_DIR:-var}/axe"
FILE="$DIR/node_modules/axe-core/axe.min.js"
if [ -f "$FILE" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$DIR/node_modules/axe-core/package.json" 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's npm for axe-core…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) || true
fi
if command -v npm >/dev/null 2>&1; then
  mkdir -p "$DIR"
  npm install --silent --no-audit --no-fund --no-save --prefix "$DIR" "axe-core@$AXE_VERSION" >/dev/null \
    || echo "Could not install axe-core: the accessibility tests will skip (or fail with HAICHIEU_REQUIRE_BROWSER=1)."
else
  echo "npm is missing: the accessibility tests will skip (or fail with HAICHIEU_REQUIRE_BROWSER=1)."
fi
