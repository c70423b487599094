# The Sieve recipe of contrib/postfix/README applied as written (issue 17 item
# 1): Postfix hands example.com's mailboxes to Dovecot by LMTP, Dovecot's
# Pigeonhole script redirects a copy of the CA's mail (:copy, on the envelope)
# to the address's dcvmail.local twin, which goes back through Postfix to the
# dcvmail service: recorded with its role, kept in the mailbox, and retried by
# Postfix when dcvmail cannot record it for a while.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
. "$TOP/tests/lib-deploy.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || [ ! -f /usr/share/postfix/main.cf.debian ] ||
	! command -v dovecot >/dev/null || ! command -v sievec >/dev/null || [ ! -e /usr/lib/dovecot/lmtp ]; then
	skip "needs root, Debian's postfix, dovecot-lmtpd and dovecot-sieve (contrib/install-deps)"; exit 0
fi
# Dovecot's master takes 1-3 s to go: not waited for (as in lib-dovecot.sh dv_stop)
dv_stop_all() { [ -n "${DV:-}" ] && { (dovecot -c "$DV/dovecot.conf" stop; sleep 0.3; rm -rf "$DV") </dev/null >/dev/null 2>&1 & }; dp_stop; }
trap dv_stop_all EXIT
dp_start
DV=$(mktemp -d /tmp/dcvmail-dvl.XXXXXX); chmod 755 "$DV"; LMTP=$(free_port)
FIX="$TOP/tests/corpus/ca"
q() { sqlite3 -readonly "$PF_STATE/ledger.db" "$1" 2>/dev/null; } # never creating it as root
msg() { { printf 'Message-ID: <%s@trust-provider.com>\n' "$1"; grep -v '^Message-ID:' "$FIX/sectigo-dcv-plain.eml"; } >"$PF/$1.eml"; echo "$PF/$1.eml"; }
type_of() { q "select type || '|' || coalesce(role, '-') || '|' || coalesce(recipient, '-') from messages where message_id like '%$1%'"; }
inbox() { cat "$DV"/mail/"$1"/Maildir/new/* "$DV"/mail/"$1"/Maildir/cur/* 2>/dev/null; }

# Postfix: steps 2 to 5 with an empty virtual map, as the README says
dp_block "/etc/dcvmail/dcvmail.conf: roles" >>"$DP_CONF"
dp_block "/etc/dcvmail/dcvmail.conf: twins of the Sieve recipe" >>"$DP_CONF" || not_ok "README has the twins' roles"
dp_local <"$TOP/contrib/postfix/main.cf" >>"$PF/conf/main.cf"
dp_local <"$TOP/contrib/postfix/master.cf" >>"$PF/conf/master.cf"
: >"$PF/conf/virtual"
dp_block /etc/postfix/transport >"$PF/conf/transport"
# the site's mailboxes are Dovecot's, by LMTP (Debian sites use
# lmtp:unix:private/dovecot-lmtp); the people are known to Postfix as aliases
postconf -c "$PF/conf" -e "mailbox_transport = lmtp:inet:127.0.0.1:$LMTP"
sed -i '/^admin:/d' "$PF/conf/aliases"
printf 'admin: admin\ndcv-contact: dcv-contact\nsomeone-else: someone-else\n' >>"$PF/conf/aliases"; postalias "$PF/conf/aliases"
# (postfix reload: Postfix starts below with the maps in place)
(dp_block "as root: the maps" | grep -v '^postfix ' | sh -e) || not_ok "step 5: postmap"
if ! dp_run; then not_ok "the Debian-like Postfix starts"; exit 1; fi

# Dovecot: a private LMTP server; what the README says to add, as written
mkdir -p "$DV/conf.d" "$DV/sieve" "$DV/run" "$DV/mail/admin" "$DV/mail/dcv-contact" "$DV/mail/someone-else"
chown -R nobody:nogroup "$DV/mail"
dp_block /etc/dovecot/conf.d/90-dcvmail.conf >"$DV/conf.d/90-dcvmail.conf" || not_ok "README has the Dovecot block"
dp_block /etc/dovecot/sieve/dcvmail.sieve >"$DV/sieve/dcvmail.sieve" || not_ok "README has the Sieve script"
cat >"$DV/dovecot.conf" <<CONF
base_dir = $DV/run
log_path = $DV/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
postmaster_address = postmaster@example.com
mail_location = maildir:$DV/mail/%n/Maildir
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/mail/%n allow_all_users=yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP
  }
}
# Debian's Dovecot hands redirects to /usr/sbin/sendmail; here, to the private Postfix
submission_host = 127.0.0.1:$PF_PORT
!include $DV/conf.d/*.conf
CONF
# (doveadm reload: Dovecot starts below)
(dp_block "as root: the script" | grep -v '^doveadm ' | sh -e) >"$DV/sievec.log" 2>&1
check "the script compiles (sievec, as the README says)" [ -s "$DV/sieve/dcvmail.svbin" ]
if ! dovecot -c "$DV/dovecot.conf" || ! wait_port "$LMTP" 10; then
	not_ok "the private Dovecot starts"; sed 's/^/# /' "$DV/dovecot.log"; exit 1
fi
ok "Dovecot LMTP with the README's Sieve settings listens on 127.0.0.1:$LMTP"

pf_send noreply_support@trust-provider.com admin@example.com "$(msg sieve-a)"
check "the CA mail reaches Dovecot by LMTP (status=sent)" pf_wait_log "to=<admin@example.com>, .*relay=127.0.0.1\[127.0.0.1\]:$LMTP.*status=sent" 1 30
check "Sieve's copy goes back through Postfix and is logged status=sent via dcvmail" \
	pf_wait_log "to=<admin@dcvmail.local>, .*relay=dcvmail.*status=sent" 1 30
check_eq "dcvmail recorded it as a DCV request for the constructed address" "$(type_of sieve-a)" "dcv|constructed|admin@dcvmail.local"
check_eq "from the CA's envelope sender" "$(q "select sender from messages where message_id like '%sieve-a%'")" noreply_support@trust-provider.com
check_contains "and the mailbox kept its own copy" "$(inbox admin)" "Message-ID: <sieve-a@trust-provider.com>"

pf_send noreply_support@trust-provider.com dcv-contact@example.com "$(msg sieve-txt)"
check "the TXT contact's copy is delivered to dcvmail too" pf_wait_log "to=<dcv-contact@dcvmail.local>, .*relay=dcvmail.*status=sent" 1 30
check_eq "with the role of its twin's role line" "$(type_of sieve-txt)" "dcv|txt|dcv-contact@dcvmail.local"

# the envelope decides, not To: (the CA wrote To: admin@example.net here)
{ printf 'Message-ID: <sieve-bcc@trust-provider.com>\nTo: undisclosed-recipients:;\n'; grep -v '^Message-ID:\|^To:' "$FIX/sectigo-dcv-plain.eml"; } >"$PF/bcc.eml"
pf_send noreply_support@trust-provider.com admin@example.com "$PF/bcc.eml"
check "mail to the address with no To: naming it (Bcc) is copied too" pf_wait_log "to=<admin@dcvmail.local>, .*relay=dcvmail.*status=sent" 2 30
{ printf 'Message-ID: <sieve-other@trust-provider.com>\nTo: admin@example.com\n'; grep -v '^Message-ID:\|^To:' "$FIX/sectigo-dcv-plain.eml"; } >"$PF/other.eml"
pf_send someone@example.org someone-else@example.com "$PF/other.eml"
pf_wait_log "to=<someone-else@example.com>, .*status=sent" 1 30
sleep 2
check_eq "mail for another mailbox whose To: names admin@ is not copied" "$(q "select count(*) from messages where message_id like '%sieve-other%'")" 0

# dcvmail unable to record: Postfix keeps the redirected copy and retries it
chmod 000 "$PF_STATE"
pf_send noreply_support@trust-provider.com admin@example.com "$(msg sieve-retry)"
check "a failing ledger: the copy is deferred by Postfix (dcvmail exit 75)" pf_wait_log "to=<admin@dcvmail.local>, .*status=deferred" 1 30
check_contains "while the mailbox got its copy" "$(inbox admin)" "Message-ID: <sieve-retry@trust-provider.com>"
chmod 700 "$PF_STATE"
postqueue -c "$PF/conf" -f
check "after the fault is fixed, Postfix's retry delivers it" pf_wait_log "to=<admin@dcvmail.local>, .*relay=dcvmail.*status=sent" 3 30
check_eq "and it is recorded" "$(type_of sieve-retry)" "dcv|constructed|admin@dcvmail.local"
check_not_contains "nothing bounced" "$(cat "$PF_LOG")" "status=bounced"
check_not_contains "Dovecot logged no Sieve error" "$(cat "$DV/dovecot.log")" "rror"
[ "$T_FAILED" -eq 0 ] || { tail -30 "$PF_LOG"; tail -20 "$DV/dovecot.log"; } | sed 's/^/# /'
t_done
