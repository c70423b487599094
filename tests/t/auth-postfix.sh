# Which Authentication-Results count behind a real Postfix: a milter's result
# sits above the Received header Postfix writes (here a header_checks PREPEND
# on that header stands in for the milter); a header the sender wrote ends up
# below it and is not believed, e.g. when the milter was down.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
	skip "Postfix tests need root and postfix"; exit 0
fi
trap pf_stop EXIT
if ! pf_start; then not_ok "private Postfix starts"; exit 1; fi
echo "trust-authserv-id mx.example.test" >>"$PF/dcvmail.conf"
FIX="$TOP/tests/corpus/ca"
q() { sqlite3 "$PF_STATE/ledger.db" "$1"; }
# msg ID [HEADER]: Sectigo's DCV mail with its own Message-ID and HEADER on top
msg() {
	f="$PF/$1.eml"
	{ [ -n "${2:-}" ] && printf '%s\n' "$2"; printf 'Message-ID: <%s@trust-provider.com>\n' "$1"
	  grep -v '^Message-ID:' "$FIX/sectigo-dcv-plain.eml"; } >"$f"
	echo "$f"
}
milter() { # RESULT: the stand-in milter writes "dkim=RESULT" above Postfix's Received; none: it is down
	if [ "$1" = none ]; then
		postconf -c "$PF/conf" -X header_checks
	else
		printf '/^Received: from .*by mx\\.example\\.test \\(Postfix\\)/ PREPEND Authentication-Results: mx.example.test; dkim=%s header.d=trust-provider.com\n' "$1" >"$PF/conf/header_checks"
		postconf -c "$PF/conf" -e "header_checks = regexp:$PF/conf/header_checks"
	fi
	postfix -c "$PF/conf" reload >/dev/null 2>&1; sleep 1
}
nsent=0 # (pf_wait_log uses $n itself)
send() {
	nsent=$((nsent + 1)); pf_send noreply_support@trust-provider.com admin@example.test "$1"
	pf_wait_log "relay=dcvmail.*status=sent" $nsent 60 || { echo "# not delivered:"; tail -5 "$PF_LOG" | sed 's/^/#   /'; }
}
auth_of() { q "select auth from messages where message_id like '%$1%'"; }

milter pass
send "$(msg genuine)"
check_eq "the milter's pass above Postfix's Received is believed" "$(auth_of genuine)" pass
sha=$(q "select sha256 from messages where message_id like '%genuine%'")
first=$(grep -m2 -E '^(Authentication-Results|Received):' "$PF_STATE/archive/$(echo "$sha" | cut -c1-2)/$sha" | cut -d: -f1 | tr '\n' ' ')
check_eq "as delivered by Postfix: the result first, then Postfix's Received" "$first" "Authentication-Results Received "

milter none
send "$(msg forged "Authentication-Results: mx.example.test; dkim=pass header.d=trust-provider.com")"
check_eq "milter down: the sender's forged pass lands below Postfix's Received and is not believed" "$(auth_of forged)" none
check_contains "the reason says why" "$(q "select auth_reason from messages where message_id like '%forged%'")" "below it ignored"

milter fail
send "$(msg failed "Authentication-Results: mx.example.test; dkim=pass header.d=trust-provider.com")"
check_eq "the milter's fail on top wins over a forged pass below" "$(auth_of failed)" fail
check_eq "and the mail is suspicious" "$(q "select type from messages where message_id like '%failed%'")" suspicious
t_done
