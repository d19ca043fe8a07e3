#!/usr/bin/env bash
# Installs the peer queues that queue_bench --compare measures beside Spool's: plainjob (SQLite, on
# better-sqlite3; plainjob_bench.mjs) and graphile-worker and pg-boss (PostgreSQL, on pg;
# pgqueue_bench.mjs), as `npm ci` of bench/peers/package-lock.json into bench/peers/node_modules.
#
#   bench/peers/setup.sh [--force]
#
# Idempotent: when node_modules already holds exactly this lock file's packages, better-sqlite3's
# native addon loads and plainjob, graphile-worker, pg-boss and pg resolve, it says so and changes
# nothing (--force reinstalls anyway). It is the bench's own setup step: ./dev.sh, the build and the
# tests never call it and never need node.
#
# better-sqlite3 is compiled from source (about 3 minutes on 2 cores): it needs g++, make, python3
# and Node's headers (the nodejs package puts them in /usr/include/node). Its prebuilt download is
# skipped on purpose (npm_config_build_from_source, read by prebuild-install; npm warns that it does
# not know that config, which is harmless), as only the package registry is reachable here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

force=0
case "${1:-}" in
    --force) force=1 ;;
    "") ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

say() { echo "bench/peers/setup.sh: $*"; }

command -v node >/dev/null || { say "node is not installed (Debian: apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null || { say "npm is not installed (Debian: apt-get install npm)"; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
    say "node $(node -v) is too old: plainjob_bench.mjs and pgqueue_bench.mjs (and pg-boss) need Node 20 or later"
    exit 1
fi

stamp="node_modules/.spool-setup-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"

# What the bench scripts import; the load check requires each to resolve and opens a better-sqlite3
# database (the one native addon).
peers=(plainjob better-sqlite3 graphile-worker pg-boss pg)
load_check='const Database = require("better-sqlite3"); new Database(":memory:").close();
            for (const name of process.argv.slice(1)) require.resolve(name);'

addon_loads() {
    node -e "$load_check" "${peers[@]}" >/dev/null 2>&1
}

if (( ! force )) && [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && addon_loads; then
    say "already set up: node_modules matches package-lock.json, better-sqlite3 loads and the peers resolve; nothing to do"
    exit 0
fi

if [[ -d node_modules ]]; then
    say "node_modules is stale, incomplete or --force was given: reinstalling with npm ci"
else
    say "installing ${peers[*]} into $here/node_modules with npm ci"
fi
say "node $(node -v), npm $(npm -v); compiling better-sqlite3 from source, this takes a few minutes ..."
start=$SECONDS
npm_config_build_from_source=true npm ci --no-audit --no-fund --loglevel=warn

if ! addon_loads; then
    say "npm ci finished, but better-sqlite3's native addon does not load or a peer does not resolve:"
    node -e "$load_check" "${peers[@]}" || true
    exit 1
fi
echo "$want" >"$stamp"
say "done in $((SECONDS - start)) s: $(node -p 'process.argv.slice(1).map(n => n + "@" + require(n + "/package.json").version).join(", ")' "${peers[@]}") (SQLite $(node -p 'new (require("better-sqlite3"))(":memory:").prepare("select sqlite_version() v").get().v'))"
