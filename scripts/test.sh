#!/usr/bin/env bash
# Runs every test project of the (already built) solution, the end-to-end tests last (they need the Docker images:
# scripts/build-images.sh), and prints one summary line at the end:
#   Tests: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
configuration="${A3C_CONFIGURATION:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "==> dotnet format --verify-no-changes"
dotnet format A3cGrpc.sln --verify-no-changes || { echo "error: code is not formatted (run: dotnet format A3cGrpc.sln)" >&2; exit 1; }

# Every test but the end-to-end ones, then those alone: they run containers of the whole system and should not
# share the two cores with the rest of the suite.
echo "==> dotnet test (all but end-to-end)"
dotnet test A3cGrpc.sln -c "$configuration" --no-build --nologo --filter "Category!=EndToEnd" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "==> dotnet test (end-to-end, Docker images from scripts/build-images.sh)"
e2e_start=$SECONDS
dotnet test tests/EndToEnd.Tests -c "$configuration" --no-build --nologo "$@" 2>&1 | tee -a "$log"
e2e_status=${PIPESTATUS[0]}
echo "End-to-end tests took $((SECONDS - e2e_start)) s"
[ "$status" -eq 0 ] && status=$e2e_status

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
