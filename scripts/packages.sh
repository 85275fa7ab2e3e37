#!/usr/bin/env bash
# Sourced by the other scripts: Debian packages installed when missing (as root, or with sudo).

a3c_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# a3c_apt_install PACKAGE...: installs those of the packages that are not installed yet.
a3c_apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> Installing Debian packages: ${missing[*]}"
  local log=/tmp/a3c-apt.log
  if ! { a3c_sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive a3c_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "error: installing ${missing[*]} failed (log: $log)" >&2
    return 1
  fi
}
