#!/usr/bin/env bash
# Sourced by run.sh: installs the Debian packages the build needs (when missing) and builds the
# solution in Release. Works on a fresh Debian 12 machine with the .NET 10 SDK, as root or with sudo.

# shellcheck source=scripts/packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

A3C_CONFIGURATION="${A3C_CONFIGURATION:-Release}"
A3C_CLI="src/Cli/bin/${A3C_CONFIGURATION}/net10.0/a3c.dll"

# Debian packages: Bullet (double-precision libraries and headers), the toolchain for the native shim, and a
# font for the learning-curve PNGs (SkiaSharp's no-dependency build reads fonts from /usr/share/fonts).
A3C_DEBIAN_PACKAGES=(libbullet-dev cmake g++ make fonts-dejavu-core)

a3c_install_packages() {
  a3c_apt_install "${A3C_DEBIAN_PACKAGES[@]}"
}

# The deployment tests render k8s/ with `kubectl kustomize`: where no kubectl is installed, Debian's
# kubernetes-client provides one (kubectl 1.20; the manifests keep to what its kustomize understands).
a3c_install_test_tools() {
  command -v kubectl >/dev/null || a3c_apt_install kubernetes-client
}

a3c_build() {
  command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH" >&2; return 1; }
  echo "==> Building A3cGrpc.sln (${A3C_CONFIGURATION})"
  dotnet build A3cGrpc.sln -c "$A3C_CONFIGURATION" -nologo -v:quiet -clp:NoSummary
}

a3c_setup() {
  a3c_install_packages
  a3c_build
}
