#!/usr/bin/env bash
# Runs every test of the solution (unit, interop with real OpenSSH, end to end) and prints
# "N passed, N failed" last. Slow soak and benchmark runs are tagged Category=Slow and skipped
# here; run them with: dotnet test Cluster.sln --filter Category=Slow
set -uo pipefail
cd "$(dirname "$0")"
# sshd and nginx live in sbin, which a non-login environment may leave off PATH.
export PATH="$PATH:/usr/sbin:/sbin"
scripts/install-test-deps || exit 1
results=$(mktemp -d)
if ! dotnet build Cluster.sln -c Release -nologo -clp:ErrorsOnly > "$results/build.log" 2>&1; then
  cat "$results/build.log"; echo "0 passed, 1 failed"; exit 1
fi
dotnet test Cluster.sln -c Release --no-build --filter "Category!=Slow" \
  --logger "trx" --results-directory "$results" 2>&1 \
  | grep -vE "^\s*$"
code=${PIPESTATUS[0]}
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  p=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')
  f=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
rm -rf "$results"
if [ "$code" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$code"
