#!/usr/bin/env bash
# Every test vethwatch has, in one command: typecheck, unit and integration tests on SQLite and on a throwaway
# PostgreSQL, host tests against the real kernel and udev (one at a time), a production build, and Playwright in
# Debian's Chromium. Ends with one line "N passed, N failed" summed over every runner; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Everything runs on the supported Node.js (24), fetched from the npm registry when this machine's is older.
source scripts/node-runtime.sh
vethwatch_use_node "$root" || exit 1

[ -d node_modules ] || npm ci --no-audit --no-fund

out=$root/.tmp/test-results
rm -rf "$out"; mkdir -p "$out"
export VETHWATCH_TEST_RESULTS=$out
status=0

step() { echo; echo "=== $*"; }
record() { # name exit-code: a step that is one check, not a runner with its own counts
  echo "{\"name\":\"$1\",\"ok\":$([ "$2" = 0 ] && echo true || echo false)}" >"$out/step-$1.json"
  [ "$2" = 0 ] || status=1
}

step "typecheck"
npx tsc --noEmit -p tsconfig.json; record typecheck $?

step "throwaway PostgreSQL"
pgdir=$(mktemp -d /tmp/vethwatch-pg.XXXXXX); chmod 755 "$pgdir"
trap 'bash "$root/scripts/pg-throwaway.sh" stop "$pgdir/pg"; rm -rf "$pgdir"' EXIT
if VETHWATCH_TEST_PG_URL=$(bash scripts/pg-throwaway.sh start "$pgdir/pg"); then
  export VETHWATCH_TEST_PG_URL; echo "PostgreSQL at $VETHWATCH_TEST_PG_URL"; record postgres 0
else
  echo "could not start PostgreSQL; the PostgreSQL half of the store tests will fail" >&2; record postgres 1
fi

step "unit and integration tests (vitest)"
npx vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile.json="$out/vitest-unit.json"
[ $? = 0 ] || status=1

step "host tests against the real kernel and udev (vitest, serial)"
mkdir -p /run/lock 2>/dev/null || true
flock /run/lock/vethwatch-host.lock npx vitest run --config vitest.host.config.ts --reporter=default --reporter=json \
  --outputFile.json="$out/vitest-host.json"
[ $? = 0 ] || status=1

step "production build"
npx next build >"$out/next-build.log" 2>&1; rc=$?; tail -25 "$out/next-build.log"; record next-build $rc

if [ $rc = 0 ]; then
  step "end-to-end tests (Playwright, Debian Chromium)"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" flock /run/lock/vethwatch-host.lock \
    npx playwright test --reporter=list,json
  [ $? = 0 ] || status=1
fi

step "summary"
echo "tests ran on Node.js $(node -v) ($(command -v node))"
node scripts/summarize-tests.mjs "$out" || status=1
exit $status
