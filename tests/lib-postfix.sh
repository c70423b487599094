# tests/lib-postfix.sh — a private Postfix on 127.0.0.1 whose local mail goes
# to `dcvmail pipe` (sourced by tests). Needs root. Call pf_start, pf_stop.
# Sets: PF (work dir), PF_PORT, PF_STATE (ledger, owned by nobody), PF_LOG.
PF_MAIN=/etc/postfix/main.cf

pf_start() {
	PF=$(mktemp -d /tmp/dcvmail-pf.XXXXXX); chmod 755 "$PF"
	PF_PORT=$(free_port)
	PF_STATE="$PF/state"; PF_LOG="$PF/maillog"
	mkdir -p "$PF/conf" "$PF/queue" "$PF/data" "$PF/bin" "$PF/rules"
	# the pipe runs as nobody: give it its own copies it can read
	cp "$DCVMAIL" "$PF/bin/dcvmail"; cp "$DCVMAIL_RULES_DIR"/*.rules "$PF/rules/"
	chmod -R a+rX "$PF/bin" "$PF/rules"
	mkdir -m 700 "$PF_STATE"; chown nobody:nogroup "$PF_STATE"
	cat >"$PF/dcvmail.conf" <<CONF
syslog no
rules-dir $PF/rules
state-dir $PF_STATE
role constructed admin@ administrator@ hostmaster@ postmaster@ webmaster@
role txt dcv-contact@example.test
role whois domains@example.test
CONF
	chmod 644 "$PF/dcvmail.conf"
	# postfix -c DIR works only when the default main.cf allows DIR
	PF_MADE_MAIN=
	if [ ! -f "$PF_MAIN" ]; then
		printf 'compatibility_level = 3.6\nalternate_config_directories = %s/conf\n' "$PF" >"$PF_MAIN"
		PF_MADE_MAIN=1
	elif ! grep -q "^alternate_config_directories" "$PF_MAIN"; then
		cp "$PF_MAIN" "$PF/main.cf.orig"
		printf 'alternate_config_directories = %s/conf\n' "$PF" >>"$PF_MAIN"
		PF_MADE_MAIN=restore
	else
		cp "$PF_MAIN" "$PF/main.cf.orig"
		sed -i "s|^alternate_config_directories *=.*|& $PF/conf|" "$PF_MAIN"
		PF_MADE_MAIN=restore
	fi
	cat >"$PF/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
myhostname = mx.example.test
mydestination = example.test
local_recipient_maps =
local_transport = dcvmail
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $PF_LOG
maillog_file_prefixes = /tmp, /var
dcvmail_destination_recipient_limit = 1
message_size_limit = 40000000
smtputf8_enable = no
queue_run_delay = 300s
minimal_backoff_time = 300s
default_process_limit = 50
smtpd_client_connection_rate_limit = 0
smtpd_recipient_restrictions = permit_mynetworks, reject
CONF
	cat >"$PF/conf/master.cf" <<CONF
$PF_PORT  inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
dcvmail   unix  -       n       n       -       -       pipe
  flags=Rq user=nobody argv=$PF/bin/dcvmail -c $PF/dcvmail.conf pipe -f \${sender} -r \${recipient} -o \${original_recipient} -q \${queue_id}
CONF
	postfix -c "$PF/conf" set-permissions >/dev/null 2>&1
	if ! postfix -c "$PF/conf" start >"$PF/start.log" 2>&1; then
		cat "$PF/start.log" "$PF_LOG" 2>/dev/null | sed 's/^/# /'
		return 1
	fi
	wait_port "$PF_PORT" 20
}

pf_stop() {
	[ -n "${PF:-}" ] || return 0
	postfix -c "$PF/conf" stop >/dev/null 2>&1
	sleep 0.5
	pkill -f "$PF/conf" 2>/dev/null
	case "$PF_MADE_MAIN" in
	1) rm -f "$PF_MAIN" ;;
	restore) cp "$PF/main.cf.orig" "$PF_MAIN" ;;
	esac
	rm -rf "$PF"
	PF=
}

# pf_send FROM TO FILE... : one SMTP session per file, to 127.0.0.1:$PF_PORT
pf_send() {
	python3 - "$PF_PORT" "$@" <<'PY'
import smtplib, sys
port, frm, to = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for path in sys.argv[4:]:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.sendmail(frm, [to], open(path, "rb").read())
PY
}

# pf_wait_log PATTERN COUNT SECONDS: wait until the mail log has COUNT lines matching
pf_wait_log() {
	n=0
	while [ $n -lt $(($3 * 10)) ]; do
		[ "$(grep -c -- "$1" "$PF_LOG" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
