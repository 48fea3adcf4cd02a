#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for trying a team workspace and for the tests.
#
#   scripts/team-server.sh start [FOLDER] [PORT]   initdb + pg_ctl start; prints KEY=value lines
#   scripts/team-server.sh stop FOLDER              stops it and removes the folder
#
# Uses Debian's postgresql package (binaries under /usr/lib/postgresql/*/bin; `apt-get install
# postgresql` when missing). Nothing listens beyond 127.0.0.1; the superuser's password is random and
# kept only in FOLDER/pgpass, which libpq reads through PGPASSFILE, so no URL ever carries it.
# initdb refuses to run as root: as root the cluster runs as the `postgres` user the package creates.
set -euo pipefail

bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    echo "PostgreSQL's server is not installed: apt-get install -y postgresql (Debian/Ubuntu)." >&2
    exit 3
  fi
  echo "$found"
}

as_owner() {  # runs a server binary as an unprivileged user
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin folder port password
  bin=$(bin_dir)
  folder=${1:-$(mktemp -d "${TMPDIR:-/tmp}/postmortem-team.XXXXXX")}
  port=${2:-$(free_port)}
  mkdir -p "$folder"
  [ "$(id -u)" = 0 ] && chown postgres "$folder"
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  printf '%s\n' "$password" > "$folder/superuser-password"
  [ "$(id -u)" = 0 ] && chown postgres "$folder/superuser-password"
  chmod 600 "$folder/superuser-password"
  # scram on every connection, also the socket: the tests check that libpq's password sources work
  as_owner "$bin/initdb" --pgdata="$folder/data" --username=postmortem --pwfile="$folder/superuser-password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }
  rm -f "$folder/superuser-password"
  # fsync off: a throwaway cluster for trying and testing, rebuilt on every start
  as_owner "$bin/pg_ctl" --pgdata="$folder/data" --log="$folder/server.log" --wait \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$folder' -c fsync=off" start \
    >/dev/null || { cat "$folder/server.log" >&2; exit 1; }
  printf '127.0.0.1:%s:*:postmortem:%s\n' "$port" "$password" > "$folder/pgpass"
  chmod 600 "$folder/pgpass"
  PGPASSFILE="$folder/pgpass" "$bin/createdb" --host=127.0.0.1 --port="$port" --username=postmortem postmortem
  echo "FOLDER=$folder"
  echo "PORT=$port"
  echo "PGPASSFILE=$folder/pgpass"
  echo "URL=postgresql://postmortem@127.0.0.1:$port/postmortem"
}

stop() {
  local folder=${1:?"stop needs the FOLDER that start printed"}
  if [ -d "$folder/data" ]; then
    as_owner "$(bin_dir)/pg_ctl" --pgdata="$folder/data" --mode=fast --wait stop >/dev/null || true
  fi
  rm -rf "$folder"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start [FOLDER] [PORT] | stop FOLDER" >&2; exit 2 ;;
esac
