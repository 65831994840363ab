#!/usr/bin/env bash
# Installs the real services and peers the tests talk to, on a fresh
# Debian machine (as root, or with sudo): Debian's mosquitto broker and
# clients, and a Python virtual environment with independent protocol peers
# (asyncua for OPC UA, pymodbus for Modbus TCP). Idempotent: a second run
# only checks. Tests start and stop the servers themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(mosquitto mosquitto-clients python3-venv chromium)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "== installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests start their own brokers on free ports; the packaged service is not needed.
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
fi

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import asyncua, pymodbus" >/dev/null 2>&1; then
  echo "== installing the Python protocol peers"
  "$venv/bin/pip" install -q --disable-pip-version-check "asyncua==2.1.0" "pymodbus==3.16.1"
fi
