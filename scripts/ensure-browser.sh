#!/bin/sh
# Browser tests drive Debian's Chromium. Install it (and fonts with every Vietnamese glyph) when it
# is missing and we are root; otherwise the browser tests say why they skip.
if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and fonts-liberation2 for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation2 >/dev/null) \
    || echo "Could not install chromium: browser tests will skip (or fail with HAICHIEU_REQUIRE_BROWSER=1)."
else
  echo "chromium is missing and we are not root: browser tests will skip (or fail with HAICHIEU_REQUIRE_BROWSER=1)."
fi
