# tests/lib-postgres.sh — a private PostgreSQL on 127.0.0.1 (sourced; root).
# pg_start initdb's a cluster in a temp directory as the unprivileged user
# nobody (the server refuses to run as root), listening on 127.0.0.1 at a free
# port and on a socket in that directory, with a database "dcvmail" owned by
# the role "dcvmail" (password in $PG/pass, a 0600 file, for the
# password-file tests). Sets PG (dir), PG_PORT, PG_URL (the ledger keyword's
# value). pg_stop / pg_restart; the test calls pg_stop on exit.
PG_BIN=""
for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
	[ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { PG_BIN=$d; break; }
done

pg_have() { [ -n "$PG_BIN" ] && command -v psql >/dev/null 2>&1; }

pg_as() { su -s /bin/sh nobody -c "$*"; }

pg_start() {
	PG=$(mktemp -d /tmp/dcvmail-pg.XXXXXX); chmod 755 "$PG"
	PG_PORT=$(free_port)
	mkdir "$PG/data" "$PG/run"; chown nobody:nogroup "$PG/data" "$PG/run"
	printf 'dcvmail-test-secret\n' >"$PG/pw"; chown nobody "$PG/pw"
	# one initdb per run of tests/run: later tests copy the fresh cluster it
	# made ($TEST_CACHE/pg-data, never started) instead of making it again
	if [ -n "${TEST_CACHE:-}" ] && [ -d "$TEST_CACHE/pg-data" ]; then
		rmdir "$PG/data" && cp -a "$TEST_CACHE/pg-data" "$PG/data" || return 1
	else
		pg_as "$PG_BIN/initdb -D $PG/data -U postgres --auth=trust --no-sync -E UTF8 --pwfile=$PG/pw" \
			>"$PG/initdb.log" 2>&1 || { sed 's/^/# /' "$PG/initdb.log"; return 1; }
		if [ -n "${TEST_CACHE:-}" ] && [ -d "$TEST_CACHE" ]; then
			cp -a "$PG/data" "$TEST_CACHE/pg-data.$$" && mv "$TEST_CACHE/pg-data.$$" "$TEST_CACHE/pg-data"
		fi
	fi
	# password (scram) over TCP, trust on the private socket for the test's psql
	cat >"$PG/data/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
	cat >>"$PG/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 16MB
CONF
	pg_as "$PG_BIN/pg_ctl -D $PG/data -l $PG/run/server.log -w -t 30 start" >/dev/null 2>&1 ||
		{ sed 's/^/# /' "$PG/run/server.log"; return 1; }
	pg_psql postgres -c "CREATE ROLE dcvmail LOGIN PASSWORD 'dcvmail-pass'" >/dev/null &&
		pg_psql postgres -c "CREATE DATABASE dcvmail OWNER dcvmail" >/dev/null || return 1
	printf '127.0.0.1:%s:*:dcvmail:dcvmail-pass\n' "$PG_PORT" >"$PG/pgpass"; chmod 600 "$PG/pgpass"
	PG_URL="postgresql://dcvmail@127.0.0.1:$PG_PORT/dcvmail?sslmode=disable"
	export PGPASSFILE="$PG/pgpass"
}

# pg_psql DB ARGS...: psql as the superuser on the private socket
pg_psql() { db=$1; shift; psql -X -q -A -t -h "$PG/run" -p "$PG_PORT" -U postgres -d "$db" "$@"; }
# pg_sql SQL: one query in the dcvmail database, unaligned, tuples only
pg_sql() { pg_psql dcvmail -c "$1"; }

pg_stop() {
	[ -n "${PG:-}" ] || return 0
	pg_as "$PG_BIN/pg_ctl -D $PG/data -m immediate -w stop" >/dev/null 2>&1
	rm -rf "$PG"; PG=""
}

# pg_halt / pg_resume: stop the server keeping its data, start it again
pg_halt() { pg_as "$PG_BIN/pg_ctl -D $PG/data -m fast -w stop" >/dev/null 2>&1; }
pg_resume() { pg_as "$PG_BIN/pg_ctl -D $PG/data -l $PG/run/server.log -w -t 30 start" >/dev/null 2>&1; }
