#!/usr/bin/env bash
# A private PostgreSQL server for the tests: its own cluster in a folder of the build tree, on a
# port of its own and a socket in that folder, so it never touches a system cluster.
#   testserver.sh start DIR   initdb (once) and start; writes DIR/url (postgresql://...)
#   testserver.sh stop DIR    stop it
#   testserver.sh restart DIR stop and start again (tests of reconnection)
# Besides the trusted role spool, a role spool_password must log in (from 127.0.0.1) with the
# password "right horse battery staple", for the tests of a refused password and of ~/.pgpass.
# SPOOL_TEST_PG_DURABLE=1: fsync and synchronous_commit on, as a real server (benchmarks).
# SPOOL_TEST_PG_LISTEN="10.77.1.1,10.77.2.1" (at the first start) also listens on those addresses
# and trusts their /16, for tests whose hosts live in network namespaces.
set -euo pipefail
cmd=$1
dir=$(realpath -m "$2")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "testserver.sh: PostgreSQL's server programs are missing (Debian: apt-get install postgresql)" >&2
  exit 1
fi
# The server refuses to run as root: run it as the postgres account then.
as=()
if [ "$(id -u)" -eq 0 ]; then
  as=(runuser -u postgres --)
fi
data=$dir/data
port_file=$dir/port

pg() { "${as[@]}" "$@"; }
# The password of the role spool_password (the tests say the same).
PASSWORD_OF_TEST_ROLE="right horse battery staple"

start() {
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    pg "$bin/initdb" -D "$data" -A trust -U spool -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    listen=127.0.0.1
    if [ -n "${SPOOL_TEST_PG_LISTEN:-}" ]; then
      listen="127.0.0.1,$SPOOL_TEST_PG_LISTEN"
      for a in ${SPOOL_TEST_PG_LISTEN//,/ }; do
        echo "host all all ${a%.*.*}.0.0/16 trust" | pg tee -a "$data/pg_hba.conf" >/dev/null
      done
    fi
    echo "$listen" | pg tee "$dir/listen" >/dev/null
    # One role that must give its password (first match wins), for the tests of a refused one.
    { echo "host all spool_password 127.0.0.1/32 scram-sha-256"; cat "$data/pg_hba.conf"; } >"$dir/hba.tmp"
    pg tee "$data/pg_hba.conf" <"$dir/hba.tmp" >/dev/null
    rm -f "$dir/hba.tmp"
  fi
  local port
  port=$(cat "$port_file" 2>/dev/null || python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "$port" >"$port_file"
  # Left running by a run that was killed: use it.
  if pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "postgresql://spool@127.0.0.1:$port/spool" >"$dir/url"
    return 0
  fi
  # Fast for tests and still a real server: no fsync (the data is thrown away after the run).
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ -n "${SPOOL_TEST_PG_DURABLE:-}" ] && durability="-c fsync=on -c synchronous_commit=on"
  pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=$(cat "$dir/listen" 2>/dev/null || echo 127.0.0.1) $durability -c max_connections=200" \
    start >/dev/null
  pg "$bin/psql" -h "$dir" -p "$port" -U spool -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = 'spool'" | grep -q 1 \
    || pg "$bin/createdb" -h "$dir" -p "$port" -U spool spool
  pg "$bin/psql" -h "$dir" -p "$port" -U spool -d postgres -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'spool_password'" | grep -q 1 \
    || pg "$bin/psql" -h "$dir" -p "$port" -U spool -d postgres -qc \
      "CREATE ROLE spool_password LOGIN SUPERUSER PASSWORD '$PASSWORD_OF_TEST_ROLE'"
  echo "postgresql://spool@127.0.0.1:$port/spool" >"$dir/url"
  chmod a+r "$dir/url"
}

stop() {
  [ -f "$data/postmaster.pid" ] && pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|restart DIR" >&2; exit 2 ;;
esac
