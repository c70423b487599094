# contrib/postfix/README applied as written (issue 17 item 1): its blocks,
# taken from the README itself (and master.cf, main.cf from contrib/postfix),
# go into a Postfix set up as Debian's installer does for example.com, with
# the domain in mydestination; the CA's mail must be logged status=sent via
# the dcvmail service and recorded with its role, people must keep theirs.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
. "$TOP/tests/lib-deploy.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || [ ! -f /usr/share/postfix/main.cf.debian ]; then
	skip "deploy tests need root and Debian's postfix"; exit 0
fi
trap dp_stop EXIT
dp_start
FIX="$TOP/tests/corpus/ca"
q() { sqlite3 -readonly "$PF_STATE/ledger.db" "$1" 2>/dev/null; } # never creating it as root
# msg ID: Sectigo's DCV mail with its own Message-ID
msg() { { printf 'Message-ID: <%s@trust-provider.com>\n' "$1"; grep -v '^Message-ID:' "$FIX/sectigo-dcv-plain.eml"; } >"$PF/$1.eml"; echo "$PF/$1.eml"; }
type_of() { q "select type || '|' || coalesce(role, '-') || '|' || coalesce(auth, '-') from messages where message_id like '%$1%'"; }
sent=0
send() { # ID TO: one CA mail, waited for until dcvmail has it
	sent=$((sent + 1))
	r=$(dp_smtp noreply_support@trust-provider.com "$2" "$(msg "$1")")
	[ "$r" = accepted ] || { echo "# $2: $r"; return 1; }
	pf_wait_log "relay=dcvmail.*status=sent" $sent 30 || { echo "# not delivered:"; tail -5 "$PF_LOG" | sed 's/^/#   /'; return 1; }
}

# step 2, 3, 4: the blocks as documented
dp_block "/etc/dcvmail/dcvmail.conf: roles" >>"$DP_CONF" || not_ok "README has the roles block"
check_eq "contrib/postfix/main.cf sets what the README's main.cf block sets" \
	"$(grep -v '^#' "$TOP/contrib/postfix/main.cf" | grep .)" "$(doc_block "$DP_README" /etc/postfix/main.cf | grep -v '^#')"
dp_local <"$TOP/contrib/postfix/main.cf" >>"$PF/conf/main.cf"
dp_local <"$TOP/contrib/postfix/master.cf" >>"$PF/conf/master.cf"
dp_block /etc/postfix/virtual >"$PF/conf/virtual" || not_ok "README has the virtual block"
dp_block /etc/postfix/transport >"$PF/conf/transport" || not_ok "README has the transport block"
check_contains "the documented service is in master.cf" "$(postconf -c "$PF/conf" -M dcvmail/unix | tr -s " ")" "dcvmail unix - n n - - pipe flags=Rq user=nobody"
check_eq "postfix check finds nothing wrong" "$(postfix -c "$PF/conf" check 2>&1 | grep -v 'warning: .*vmail\|not owned by\|group or other writable')" ""
if ! dp_run; then not_ok "the Debian-like Postfix starts"; exit 1; fi
ok "the Debian-like Postfix starts on 127.0.0.1:$PF_PORT (mydestination: $(postconf -c "$PF/conf" -hx mydestination))"

# forgetting step 5 (postmap): Postfix defers, nothing reaches dcvmail
r=$(dp_smtp noreply_support@trust-provider.com admin@example.com "$(msg nopostmap)")
check_contains "without postmap the mail is refused for now (451 4.3.0)" "$r" "451"
check_contains "as a temporary lookup failure" "$r" "Temporary lookup failure"

# step 5 as written
(dp_block "as root: the maps" | sh -e) >"$PF/step5.log" 2>&1
check_eq "step 5 (postmap, postfix reload) runs" "$?" 0
sleep 1

# Recipe A: admin@ to its people and to dcvmail
check "Recipe A: mail to admin@example.com is logged status=sent via the dcvmail service" send recipe-a admin@example.com
check_eq "recorded as a DCV request for the constructed address" "$(type_of recipe-a)" "dcv|constructed|none"
check_eq "with the address the CA wrote to" "$(q "select recipient from messages where message_id like '%recipe-a%'")" admin@example.com
check "and the people who read admin@ still get it (local delivery, status=sent)" pf_wait_log "to=<admin@example.com>, relay=local.*status=sent" 1 20
check_contains "in their mailbox" "$(cat "$PF/people/admin" 2>/dev/null)" "Message-ID: <recipe-a@trust-provider.com>"

# Recipe B: dcv-contact@ to dcvmail only, though no local user has that name
check "Recipe B: mail to dcv-contact@example.com is accepted and logged status=sent via dcvmail" send recipe-b dcv-contact@example.com
check_eq "recorded with the TXT-contact role" "$(type_of recipe-b)" "dcv|txt|none"
check_not_contains "and delivered nowhere else" "$(grep 'dcv-contact@example.com' "$PF_LOG" | grep -v 'relay=dcvmail')" "status="

# the earlier recipe B (transport_maps alone) bounces with the domain in mydestination
printf 'other-contact@example.com  dcvmail:\n' >>"$PF/conf/transport"
postmap -c "$PF/conf" "$PF/conf/transport"
r=$(dp_smtp noreply_support@trust-provider.com other-contact@example.com "$(msg transport-only)")
check_contains "transport_maps alone: 550 User unknown in local recipient table (why B uses virtual)" "$r" "550 5.1.1"

# the world cannot write to the pseudo-domain (XCLIENT makes the session
# one from an outside address, 192.0.2.7)
postconf -c "$PF/conf" -e "smtpd_authorized_xclient_hosts = 127.0.0.0/8"
postfix -c "$PF/conf" reload >/dev/null 2>&1; sleep 1
outside() {
	python3 - "$PF_PORT" "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("test"); s.docmd("XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE]"); s.ehlo("outside.example.org")
s.mail("stranger@example.org"); code, msg = s.rcpt(sys.argv[2]); print(code, msg.decode()); s.quit()
PY
}
check_contains "from outside, admin@example.com is accepted" "$(outside admin@example.com)" "250"
check_contains "but admin@dcvmail.local is refused as a relay destination" "$(outside admin@dcvmail.local)" "Relay access denied"

# trust-authserv-id is conditional: without a milter, CA mail is not suspicious ...
check_not_contains "the documented config has no trust-authserv-id" "$(cat "$DP_CONF")" "trust-authserv-id"
check_not_contains "and no CA mail of the recipes was suspicious" "$(q "select type from messages")" suspicious
# ... set without a milter, it makes genuine CA mail suspicious (why the README says "only")
dp_block "/etc/dcvmail/dcvmail.conf: only with a DKIM/DMARC milter" >>"$DP_CONF"
check "set without a milter, trust-authserv-id: the mail is still delivered" send no-milter admin@example.com
check_eq "but genuine CA mail is now suspicious" "$(type_of no-milter | cut -d'|' -f1)" suspicious
out=$("$PF/bin/dcvmail" -c "$DP_CONF" -n 2>&1); rc=$?
check_contains "dcvmail -n (as root) warns that no pipe mail carried a header of that id" "$out" \
	"warning: trust-authserv-id mx.example.com: none of the 3 CA messages that came by the pipe had a trusted Authentication-Results header; set it only when a milter"
check_eq "a warning: -n still succeeds" "$rc" 0
check_eq "and root's look at the ledger left no root file there" "$(find "$PF_STATE" -user root | wc -l)" 0
# ... and with the milter it is meant for (header_checks PREPEND stands in for
# it: its header sits above the Received line Postfix writes), it is believed
printf '/^Received: from .*by mx\\.example\\.com \\(Postfix\\)/ PREPEND Authentication-Results: mx.example.com; dkim=pass header.d=trust-provider.com\n' >"$PF/conf/header_checks"
postconf -c "$PF/conf" -e "header_checks = regexp:$PF/conf/header_checks"
postfix -c "$PF/conf" reload >/dev/null 2>&1; sleep 1
check "with a milter writing mx.example.com results: delivered" send with-milter admin@example.com
check_eq "and its pass is believed: a DCV request, authenticated" "$(type_of with-milter)" "dcv|constructed|pass"
check_not_contains "now dcvmail -n has no warning" "$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$PF/bin/dcvmail" -c "$DP_CONF" -n 2>&1)" "warning"

check_not_contains "nothing bounced" "$(cat "$PF_LOG")" "status=bounced"
check_eq "no mail left in the queue" "$(postqueue -c "$PF/conf" -p | tail -1)" "Mail queue is empty"
t_done
