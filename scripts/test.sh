#!/bin/sh
# The phases of `make test` that follow setup and lint (run it through make):
#
#   1. makemigrations --check (every model change has its migration)
#   2. fast suite (-m "not slow") on SQLite, with DATABASE_URL and REDIS_URL unset so a
#      developer's environment does not leak in
#   3. fast suite on PostgreSQL + Redis when TEST_POSTGRES_URL (and TEST_REDIS_URL) are set
#   4. slow suite (-m slow) once: on PostgreSQL when TEST_POSTGRES_URL is set, else SQLite
#
# Browser tests drive /usr/bin/chromium: without it the run fails, unless
# SKIP_BROWSER_TESTS=1, which runs the slow suite without them (-m "slow and not browser").
# PYTEST_ARGS adds arguments to every pytest run (e.g. PYTEST_ARGS="-x").
# FAST_PARALLEL spreads the fast suites over processes (pytest-xdist; default "-n auto", one
# per core; each worker has its own test database and Redis database). Set it empty to run
# them in one process. The slow suite always runs in one process.
set -eu

cd "$(dirname -- "$0")/.."
BIN=.venv/bin
CHROMIUM=/usr/bin/chromium
PYTEST_ARGS=${PYTEST_ARGS:-}
FAST_PARALLEL=${FAST_PARALLEL--n auto}
# --create-db: never reuse a test database left by an earlier run (pytest --reuse-db would).
PYTEST="$BIN/pytest -p no:cacheprovider --create-db"
summary=""

now() { date +%s; }

phase_done() {  # name, start time
    summary="$summary
  $(printf '%-42s %4ss' "$1" "$(($(now) - $2))")"
}

chromium_banner() {
    cat <<'EOF'

########################################################################
##                                                                    ##
##   chromium is missing: browser tests cannot run                    ##
##   install with: apt-get install chromium                           ##
##                                                                    ##
########################################################################

EOF
}

# Fail before minutes of tests rather than after them.
slow_marker="slow"
if [ ! -x "$CHROMIUM" ]; then
    chromium_banner
    if [ "${SKIP_BROWSER_TESTS:-}" != "1" ]; then
        echo "Failing: set SKIP_BROWSER_TESTS=1 to run everything except the browser tests." >&2
        exit 1
    fi
    echo "SKIP_BROWSER_TESTS=1: the slow suite will run without browser tests."
    slow_marker="slow and not browser"
fi

# The SQLite database file for manage.py lives in var/, which a fresh clone lacks.
mkdir -p var

echo "== makemigrations --check"
t=$(now)
(unset DATABASE_URL REDIS_URL; DEBUG=1 exec "$BIN/python" manage.py makemigrations --check --dry-run)
phase_done "makemigrations --check" "$t"

echo "== fast suite on SQLite"
t=$(now)
# shellcheck disable=SC2086  # PYTEST and PYTEST_ARGS are word lists
(unset DATABASE_URL REDIS_URL; exec $PYTEST -m "not slow" $FAST_PARALLEL $PYTEST_ARGS)
phase_done "fast suite, SQLite" "$t"

if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    echo "== fast suite on PostgreSQL ($TEST_POSTGRES_URL, REDIS_URL=${TEST_REDIS_URL:-unset})"
    t=$(now)
    # shellcheck disable=SC2086
    (
        unset REDIS_URL
        DATABASE_URL=$TEST_POSTGRES_URL
        export DATABASE_URL
        if [ -n "${TEST_REDIS_URL:-}" ]; then REDIS_URL=$TEST_REDIS_URL; export REDIS_URL; fi
        exec $PYTEST -m "not slow" $FAST_PARALLEL $PYTEST_ARGS
    )
    phase_done "fast suite, PostgreSQL" "$t"
    slow_db="PostgreSQL"
else
    echo "== TEST_POSTGRES_URL is not set: skipping the PostgreSQL run; the slow suite runs on SQLite"
    slow_db="SQLite"
fi

[ "$slow_marker" = "slow" ] || chromium_banner
echo "== slow suite on $slow_db (-m \"$slow_marker\")"
t=$(now)
rc=0
# shellcheck disable=SC2086
(
    unset DATABASE_URL REDIS_URL
    if [ "$slow_db" = "PostgreSQL" ]; then
        DATABASE_URL=$TEST_POSTGRES_URL
        export DATABASE_URL
        if [ -n "${TEST_REDIS_URL:-}" ]; then REDIS_URL=$TEST_REDIS_URL; export REDIS_URL; fi
    fi
    exec $PYTEST -m "$slow_marker" $PYTEST_ARGS
) || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "== slow suite: no slow tests collected (pytest exit 5); treated as success"
elif [ "$rc" -ne 0 ]; then
    exit "$rc"
fi
phase_done "slow suite, $slow_db" "$t"

echo
echo "make test passed. Times:$summary"
[ "$slow_marker" = "slow" ] || echo "  (browser tests were skipped: chromium is missing)"
