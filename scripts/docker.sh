#!/usr/bin/env bash
# Sourced by scripts/build-images.sh: a running Docker engine, and the base image the Dockerfiles build on.
#   a3c_docker_ready      install Debian's docker.io when dockerd is missing, start dockerd when none answers
#   a3c_base_image        print the base image to use, making the local one first when it is missing
# shellcheck source=scripts/packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"
# shellcheck source=scripts/images.env
source "$(dirname "${BASH_SOURCE[0]}")/images.env"

a3c_docker_ready() {
  command -v dockerd >/dev/null || a3c_apt_install docker.io
  # Debian's client is /usr/bin/docker; another one earlier on PATH works too (it negotiates the API version).
  docker info >/dev/null 2>&1 && return 0
  echo "==> Starting dockerd (log: /var/log/a3c-dockerd.log)"
  a3c_sudo sh -c 'nohup dockerd >/var/log/a3c-dockerd.log 2>&1 &'
  local waited=0
  until docker info >/dev/null 2>&1; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge 60 ]; then
      echo "error: dockerd did not answer within 60 s; its log:" >&2
      tail -n 30 /var/log/a3c-dockerd.log >&2
      return 1
    fi
  done
}

# The Dockerfiles' BASE_IMAGE: $A3C_BASE_IMAGE when set (e.g. mcr.microsoft.com/dotnet/runtime-deps:10.0 where a
# registry is reachable); otherwise the local Debian 13 base, made here with debootstrap + docker import when missing
# (no registry is reachable on this machine: docs/platform-notes.md).
a3c_base_image() {
  if [ -n "${A3C_BASE_IMAGE:-}" ]; then
    echo "$A3C_BASE_IMAGE"
    return 0
  fi
  if ! docker image inspect "$A3C_LOCAL_BASE_IMAGE" >/dev/null 2>&1; then
    a3c_apt_install debootstrap >&2
    local root
    root="$(mktemp -d /tmp/a3c-base.XXXXXX)"
    echo "==> Making the base image $A3C_LOCAL_BASE_IMAGE (debootstrap Debian 13, about a minute)" >&2
    # The same libraries as Microsoft's runtime-deps image (ICU, OpenSSL, zlib, CA certificates).
    a3c_sudo debootstrap --variant=minbase --include=libicu76,libssl3t64,zlib1g,ca-certificates \
      trixie "$root" "${A3C_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/tmp/a3c-debootstrap.log 2>&1 \
      || { echo "error: debootstrap failed; see /tmp/a3c-debootstrap.log" >&2; a3c_sudo rm -rf "$root"; return 1; }
    a3c_sudo rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
    a3c_sudo tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$A3C_LOCAL_BASE_IMAGE" >/dev/null
    a3c_sudo rm -rf "$root"
  fi
  echo "$A3C_LOCAL_BASE_IMAGE"
}
