#!/usr/bin/env bash
# Debian packages the local stack needs. Installs only what is missing; safe to run again.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v runuser >/dev/null || missing+=(util-linux)
# OCR for the local LLM (devstack/llm) reading photographed certificates
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
[ -e /usr/share/tesseract-ocr/5/tessdata/eng.traineddata ] || missing+=(tesseract-ocr-eng)
# the page orientation the local reader asks for when a photo reads poorly
[ -e /usr/share/tesseract-ocr/5/tessdata/osd.traineddata ] || missing+=(tesseract-ocr-osd)
# the browser the web app's tests drive (playwright-core launches it; no browser is ever downloaded)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
