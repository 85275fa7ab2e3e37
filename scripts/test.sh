#!/usr/bin/env bash
# Runs every test project of the (already built) solution and prints one summary line at the end:
#   Tests: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
configuration="${A3C_CONFIGURATION:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "==> dotnet format --verify-no-changes"
dotnet format A3cGrpc.sln --verify-no-changes || { echo "error: code is not formatted (run: dotnet format A3cGrpc.sln)" >&2; exit 1; }

echo "==> dotnet test"
dotnet test A3cGrpc.sln -c "$configuration" --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each test assembly prints "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T, ..." (or "Failed!  - ...").
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Passed:")  { gsub(",", "", $(i+1)); p += $(i+1) }
      if ($i == "Skipped:") { gsub(",", "", $(i+1)); s += $(i+1) }
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")
echo
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "error: no test ran" >&2
  exit 1
fi
exit "$status"
