# tests/lib-deploy.sh — a private Postfix set up as Debian's installer sets up
# an "Internet Site" for example.com (the domain in mydestination, local
# recipients checked, aliases), to which the deploy tests apply the blocks of
# contrib/postfix/README literally. Sourced after lib.sh and lib-postfix.sh
# (pf_send, pf_wait_log; pf_stop ends it). Needs root.
# dp_start sets PF, PF_PORT, PF_LOG, PF_STATE (owned by nobody) and DP_CONF
# (the dcvmail.conf the pipe reads); mail to people@ lands in $PF/people.
DP_README="$TOP/contrib/postfix/README"

# doc_block FILE TAG: the indented block of FILE whose first line is "# TAG",
# without its indentation, up to the first blank or less indented line
doc_block() {
	awk -v tag="# $2" '
		!on { t = $0; sub(/^[ \t]+/, "", t); if (t == tag && $0 ~ /^[ \t]/) { on = 1; ind = match($0, /[^ \t]/) - 1 }; next }
		/^[ \t]*$/ { exit }
		{ if (match($0, /[^ \t]/) - 1 < ind) exit; print substr($0, ind + 1) }' "$1"
}

# dp_local: the README's paths made those of the private instance (the only
# change the tests make to a documented block)
dp_local() {
	sed -e "s|/etc/postfix/|$PF/conf/|g" -e "s|^postmap |postmap -c $PF/conf |" -e "s|^postfix |postfix -c $PF/conf |" \
		-e "s|/usr/local/sbin/dcvmail|$PF/bin/dcvmail -c $DP_CONF|g" -e "s|user=dcvmail|user=nobody|g" \
		-e "s|/etc/dovecot/|${DV:-/nonexistent}/|g" -e "s|/etc/dcvmail/dcvmail.conf|$DP_CONF|g" \
		-e "s|^sievec |sievec -c ${DV:-/nonexistent}/dovecot.conf |" -e "s|^doveadm |doveadm -c ${DV:-/nonexistent}/dovecot.conf |"
}

# dp_block TAG: doc_block of the README, localised; fails when it is missing
dp_block() {
	b=$(doc_block "${DP_DOC:-$DP_README}" "$1")
	[ -n "$b" ] || { echo "# no block '# $1' in ${DP_DOC:-$DP_README}"; return 1; }
	printf '%s\n' "$b" | dp_local
}

dp_start() {
	PF=$(mktemp -d /tmp/dcvmail-dp.XXXXXX); chmod 755 "$PF"
	PF_PORT=$(free_port)
	PF_STATE="$PF/state"; PF_LOG="$PF/maillog"; DP_CONF="$PF/dcvmail.conf"
	mkdir -p "$PF/conf" "$PF/queue" "$PF/data" "$PF/bin" "$PF/rules"
	cp "$DCVMAIL" "$PF/bin/dcvmail"; cp "$DCVMAIL_RULES_DIR"/*.rules "$PF/rules/"
	chmod -R a+rX "$PF/bin" "$PF/rules"
	# as `systemd-tmpfiles --create` makes it (nobody stands in for dcvmail)
	mkdir -m 700 "$PF_STATE"; chown nobody:nogroup "$PF_STATE"
	printf 'syslog no\nrules-dir %s/rules\nstate-dir %s\n' "$PF" "$PF_STATE" >"$DP_CONF"
	chmod 644 "$DP_CONF"
	# the default main.cf must list our directory for postfix -c
	PF_MADE_MAIN=
	if [ ! -f "$PF_MAIN" ]; then
		printf 'compatibility_level = 3.6\nalternate_config_directories = %s/conf\n' "$PF" >"$PF_MAIN"
		PF_MADE_MAIN=dp
	elif grep -q "^alternate_config_directories" "$PF_MAIN"; then
		sed -i "s|^alternate_config_directories *=.*|& $PF/conf|" "$PF_MAIN"; PF_MADE_MAIN=dp
	else
		printf 'alternate_config_directories = %s/conf\n' "$PF" >>"$PF_MAIN"; PF_MADE_MAIN=dp
	fi
	# main.cf as Debian's postinst writes it for "Internet Site", mail name example.com
	{
		cat /usr/share/postfix/main.cf.debian
		[ -f /etc/ssl/certs/ssl-cert-snakeoil.pem ] && cat /usr/share/postfix/main.cf.tls
		cat <<CONF
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mx.example.com
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = /etc/mailname
mydestination = \$myhostname, example.com, mx.example.com, localhost.localdomain, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
CONF
	} | dp_local >"$PF/conf/main.cf"
	# what makes it a private instance on loopback (edited in, as postinst does)
	postconf -c "$PF/conf" -e "queue_directory = $PF/queue" "data_directory = $PF/data" \
		"alias_maps = hash:$PF/conf/aliases" "alias_database = hash:$PF/conf/aliases" "myorigin = example.com" \
		"inet_interfaces = loopback-only" "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
		"maillog_file = $PF_LOG" "maillog_file_prefixes = /tmp, /var" \
		"queue_run_delay = 300s" "minimal_backoff_time = 300s"
	# Debian's /etc/aliases, and a person who reads admin@
	mkdir -m 1777 "$PF/people"
	printf 'postmaster:    root\nadmin: %s/people/admin\nroot: %s/people/root\n' "$PF" "$PF" >"$PF/conf/aliases"
	postalias "$PF/conf/aliases"
	# Debian's master.cf, smtpd on our port, nothing chrooted (no copies of /etc there)
	awk -v port="$PF_PORT" '
		/^smtp +inet/ { $1 = port }
		/^[a-z0-9]/ && NF >= 8 { $5 = "n" }
		{ print }' /usr/share/postfix/master.cf.dist >"$PF/conf/master.cf"
	postfix -c "$PF/conf" set-permissions >/dev/null 2>&1
}

# dp_run: start the instance configured so far
dp_run() {
	if ! postfix -c "$PF/conf" start >"$PF/start.log" 2>&1; then
		cat "$PF/start.log" "$PF_LOG" 2>/dev/null | sed 's/^/# /'
		return 1
	fi
	wait_port "$PF_PORT" 20
}

dp_stop() {
	[ -n "${PF:-}" ] || return 0
	postfix -c "$PF/conf" stop >/dev/null 2>&1
	sleep 0.5
	pkill -f "$PF/conf" 2>/dev/null
	# take only our directory out of the default main.cf (other tests may share it)
	[ "$PF_MADE_MAIN" = dp ] && sed -i "s| $PF/conf||; \\|^alternate_config_directories = $PF/conf\$|d" "$PF_MAIN"
	rm -rf "$PF"
	PF=
}

# dp_smtp FROM TO FILE: one SMTP session; prints the server's refusal, if any
dp_smtp() {
	python3 - "$PF_PORT" "$@" <<'PY'
import smtplib, sys
port, frm, to, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.sendmail(frm, [to], open(path, "rb").read())
    print("accepted")
except smtplib.SMTPRecipientsRefused as e:
    for code, msg in e.recipients.values():
        print(code, msg.decode())
except smtplib.SMTPException as e:
    print("refused", e)
PY
}
