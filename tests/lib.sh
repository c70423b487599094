# tests/lib.sh — helpers for tests/t/*.sh (sourced). Prints "ok - ..." lines.
# Every test gets $TEST_TMP (removed by tests/run) and $DCVMAIL (the binary).
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DCVMAIL:=$TOP/build/dcvmail}"
: "${TEST_TMP:=$(mktemp -d)}"
export DCVMAIL_RULES_DIR="${DCVMAIL_RULES_DIR:-$TOP/rules}"
# what people read is in local time: the tests read it in UTC unless they say otherwise
export TZ=UTC
T_FAILED=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILED=$((T_FAILED + 1)); }
skip() { echo "skip - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; echo "#   got  [$2]"; echo "#   want [$3]"; fi
}
# check_contains DESCRIPTION HAYSTACK NEEDLE
check_contains() {
	case "$2" in *"$3"*) ok "$1" ;; *) not_ok "$1"; echo "#   [$3] not in:"; printf '%s\n' "$2" | head -20 | sed 's/^/#   /' ;; esac
}
check_not_contains() {
	case "$2" in *"$3"*) not_ok "$1"; echo "#   [$3] found in:"; printf '%s\n' "$2" | head -20 | sed 's/^/#   /' ;; *) ok "$1" ;; esac
}
# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# wait_port PORT [SECONDS]: until something accepts connections there (polled
# every 50 ms; bash connects through /dev/tcp, no process per try)
wait_port() {
	n=0; while [ $n -lt $((${2:-10} * 20)) ]; do
		if [ -n "${BASH_VERSION:-}" ]; then
			(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		else
			python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null && return 0
		fi
		sleep 0.05; n=$((n + 1)); done; return 1
}
t_done() { [ "$T_FAILED" -eq 0 ]; exit $?; }
# clock_at "YYYY-MM-DD HH:MM:SS" CMD...: run CMD with its clock starting at
# that local time and running on (libfaketime, preloaded here). Not the
# faketime(1) wrapper: it keeps a semaphore and a segment in /dev/shm named by
# its own pid, leaves them when it is killed, and a later wrapper that gets
# the same pid back (pid_max 32768, a full run forks more) fails with
# "sem_open: File exists" before it runs anything. In the background a
# function is a subshell, so $! would not be CMD's pid: there, give CMD the
# two variables itself (FAKETIME="@WHEN" LD_PRELOAD="$FAKETIME_LIB" CMD &).
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
clock_at() {
	[ -n "$FAKETIME_LIB" ] || { echo "clock_at: libfaketime is not installed (contrib/install-deps)" >&2; return 127; }
	_when=$1; shift
	FAKETIME="@$_when" LD_PRELOAD="$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD}" "$@"
}

# tls_cert DIR NAME: a throwaway CA (DIR/NAME-ca.pem) and a server certificate
# for localhost (DIR/NAME.pem, DIR/NAME.key) signed by it. The certificates are
# made anew on every call; the two RSA keys are made once per NAME in a run of
# tests/run ($TEST_CACHE) and copied, so different NAMEs still have different
# keys (a "stranger" CA never signs what "site" signs).
tls_cert() {
	d=$1; n=$2
	tls_key "$n-ca" "$d/$n-ca.key" && tls_key "$n" "$d/$n.key" || return 1
	openssl req -x509 -new -key "$d/$n-ca.key" -days 2 -subj "/CN=$n test CA" \
		-out "$d/$n-ca.pem" >/dev/null 2>&1
	openssl req -new -key "$d/$n.key" -subj "/CN=localhost" -out "$d/$n.csr" >/dev/null 2>&1
	printf 'subjectAltName=DNS:localhost\n' >"$d/$n.ext"
	openssl x509 -req -in "$d/$n.csr" -CA "$d/$n-ca.pem" -CAkey "$d/$n-ca.key" -CAcreateserial -days 2 \
		-extfile "$d/$n.ext" -out "$d/$n.pem" >/dev/null 2>&1
}
# tls_key NAME FILE: an RSA 2048 key in FILE (0600), from $TEST_CACHE when set
tls_key() {
	if [ -n "${TEST_CACHE:-}" ] && [ -d "$TEST_CACHE" ]; then
		mkdir -p "$TEST_CACHE/tls"
		if [ ! -s "$TEST_CACHE/tls/$1.key" ]; then
			(umask 077; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
				-out "$TEST_CACHE/tls/$1.key.$$" 2>/dev/null) &&
				mv "$TEST_CACHE/tls/$1.key.$$" "$TEST_CACHE/tls/$1.key" || return 1
		fi
		(umask 077; cp "$TEST_CACHE/tls/$1.key" "$2")
	else
		(umask 077; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null)
	fi
}

# https_start NAME PORT CERTNAME: tests/https-server.py on 127.0.0.1:PORT with
# the certificate CERTNAME made by tls_cert in $TEST_TMP; requests are logged
# to $TEST_TMP/NAME.log, answers come from $TEST_TMP/NAME.routes (JSON).
# Sets HTTPS_PIDS.
https_start() {
	[ -f "$TEST_TMP/$1.routes" ] || echo '{}' >"$TEST_TMP/$1.routes"
	: >"$TEST_TMP/$1.log"
	python3 "$TOP/tests/https-server.py" "$2" "$TEST_TMP/$3.pem" "$TEST_TMP/$3.key" \
		"$TEST_TMP/$1.log" "$TEST_TMP/$1.routes" 2>>"$TEST_TMP/$1.err" &
	HTTPS_PIDS="${HTTPS_PIDS:-} $!"
	wait_port "$2" 10
}

# testca_rules DIR: DIR/testca.rules, the test CA of the approval tests: its
# mail comes from (and is signed by) ca.test, its pages live on localhost, and
# its approval is a POST of the order and code that the page confirms.
testca_rules() {
	cat >"$1/testca.rules" <<'RULES'
ca testca "Test CA"
  from-domain  ca.test
  dkim-domain  ca.test
  link-host    localhost

rule testca-dcv
  type     dcv
  subject  /^Approve the certificate for (?<domain>\S+) \(order (?<order>\d+)\)/
  body     /code: (?<code>[A-Z0-9]{12})/
  link     approve /\/approve\?/
  link     reject  /\/reject\?/
  approve-method  post
  approve-field   order {order}
  approve-field   code {code}
  approve-success /Thank you: the domain is validated/
RULES
}
