#!/usr/bin/env bash
# The project's two entry points (README, "Quick start"):
#   ./run.sh train [options]   install what is missing, build, and train (see `./run.sh train --help`)
#   ./run.sh test              install what is missing (Docker too), build, build the images, run every test
# Extra commands: ./run.sh bench [options] (benchmarks), ./run.sh a3c <command> (any CLI command),
#   ./run.sh images (build the Docker images: scripts/build-images.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# shellcheck source=scripts/setup.sh
source scripts/setup.sh

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  train)
    a3c_setup
    exec dotnet "$A3C_CLI" train "$@"
    ;;
  test)
    a3c_setup
    a3c_install_test_tools
    scripts/build-images.sh # installs and starts Docker when needed
    exec scripts/test.sh "$@"
    ;;
  bench)
    a3c_setup
    exec dotnet "$A3C_CLI" bench "$@"
    ;;
  images)
    a3c_install_packages
    exec scripts/build-images.sh
    ;;
  a3c)
    a3c_setup
    exec dotnet "$A3C_CLI" "$@"
    ;;
  *)
    echo "usage: ./run.sh train [options] | ./run.sh test | ./run.sh bench [options] | ./run.sh images | ./run.sh a3c <command>" >&2
    exit 2
    ;;
esac
