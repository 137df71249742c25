#!/bin/sh
# The document tests convert the generated .docx/.xlsx to PDF with LibreOffice (headless) and read
# the text back with pdftotext: proof that a real office program opens them. Install Debian's
# LibreOffice Writer/Calc (no GUI), poppler-utils and fonts with every Vietnamese glyph when they
# are missing and we are root; otherwise the office tests say why they skip.
if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
  && [ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing LibreOffice (writer, calc), poppler-utils and fonts-liberation2 for the office tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2 >/dev/null) \
    || echo "Could not install LibreOffice: office tests will skip (or fail with HAICHIEU_REQUIRE_OFFICE=1)."
else
  echo "LibreOffice or pdftotext is missing and we are not root: office tests will skip (or fail with HAICHIEU_REQUIRE_OFFICE=1)."
fi
