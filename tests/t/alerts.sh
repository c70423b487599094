# Pending alerts and the daily digest (issue 17 item 5, issue 21 item 4),
# sent by `dcvmail outbox` through a private Postfix into a real Dovecot
# mailbox and read back over IMAP. The clock is moved with libfaketime, in
# Asia/Tokyo: a request past pending-alert gets one alert, a request
# answered in time none; the digest of overdue orders comes once a day from
# the digest time on, again the next day while the order is overdue, once
# for two concurrent runners and from the watcher, to nobody with nothing
# overdue (until its order waits too long for the issued notice); after the
# mail server was down it is retried and sent once, and one not sent on its
# day is dropped for the next day's.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
t0=$(date +%s)
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null ||
	[ ! -e /usr/lib/dovecot/lmtp ] || [ -z "$FAKETIME_LIB" ]; then
	skip "needs root, postfix, dovecot-lmtpd and libfaketime (contrib/install-deps)"; exit 0
fi
# libfaketime is preloaded (clock_at, tests/lib.sh); an ASan build (make check SANITIZE=1) must allow that
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export TZ=Asia/Tokyo
DV=
# Dovecot's master takes 1-3 s to go: not waited for (as in lib-dovecot.sh dv_stop)
stop_all() { [ -n "$DV" ] && { (dovecot -c "$DV/dovecot.conf" stop; sleep 0.3; rm -rf "$DV") </dev/null >/dev/null 2>&1 & }; pf_stop; }
trap stop_all EXIT
trap 'exit 1' INT TERM

# Dovecot: LMTP for Postfix to deliver into, IMAP to read with
DV=$(mktemp -d /tmp/dcvmail-dva.XXXXXX); chmod 755 "$DV"; LMTP=$(free_port); IMAP=$(free_port)
mkdir -p "$DV/mail" "$DV/run"; chown nobody:nogroup "$DV/mail"
for u in alice bob carol; do echo "$u@ops.test:{PLAIN}secret" >>"$DV/users"; done
cat >"$DV/dovecot.conf" <<CONF
base_dir = $DV/run
log_path = $DV/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
default_internal_user = dovecot
default_login_user = dovenull
postmaster_address = postmaster@ops.test
mail_location = maildir:$DV/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    port = $IMAP
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP
  }
}
CONF
if ! dovecot -c "$DV/dovecot.conf" || ! wait_port "$LMTP" 10; then
	not_ok "the private Dovecot starts"; sed 's/^/# /' "$DV/dovecot.log"; exit 1
fi
# Postfix: the people's domain goes to Dovecot by LMTP
if ! pf_start; then not_ok "the private Postfix starts"; exit 1; fi
echo "lmtp      unix  -       -       n       -       -       lmtp" >>"$PF/conf/master.cf"
postconf -c "$PF/conf" -e "relay_domains = ops.test" "transport_maps = inline:{ ops.test=lmtp:inet:127.0.0.1:$LMTP }"
postfix -c "$PF/conf" reload >/dev/null 2>&1; sleep 1

S="$TEST_TMP/state"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
state-dir $S
role constructed admin@
smtp {
  url smtp://127.0.0.1:$PF_PORT
  from dcvmail@example.test
}
pending-alert 48
route {
  domain a.example.net
  forward alice@ops.test
}
route {
  domain b.example.net
  forward carol@ops.test
}
CONF
export DCVMAIL_CONFIG="$TEST_TMP/c.conf"
q() { sqlite3 "$S/ledger.db" "$1"; }
# at "DAY HH:MM[:SS]" CMD...: dcvmail at that local time
at() { when=$1; shift; case $when in *:*:*) ;; *) when="$when:00" ;; esac; clock_at "$when" "$DCVMAIL" "$@"; }
# snap: every mail of alice, bob and carol, read over IMAP (one login each),
# into $M/USER/N.eml, and the Subject of each in $M/USER/subjects ("N subject")
M="$TEST_TMP/imap"
snap() {
	rm -rf "$M"; mkdir -p "$M"
	python3 - "$IMAP" "$M" alice bob carol <<'PY'
import imaplib, os, sys, email, email.header
port, out = int(sys.argv[1]), sys.argv[2]
for u in sys.argv[3:]:
    d = os.path.join(out, u); os.mkdir(d)
    c = imaplib.IMAP4("127.0.0.1", port)
    c.login(u + "@ops.test", "secret")
    c.select("INBOX", readonly=True)
    with open(os.path.join(d, "subjects"), "w") as f:
        for num in c.search(None, "ALL")[1][0].split():
            raw = c.fetch(num, "(BODY.PEEK[])")[1][0][1]
            open(os.path.join(d, "%s.eml" % num.decode()), "wb").write(raw)
            subj = email.message_from_bytes(raw)["Subject"] or ""
            subj = str(email.header.make_header(email.header.decode_header(subj))).replace("\n", "")
            f.write("%s %s\n" % (num.decode(), subj))
    c.logout()
PY
}
# subjects USER / count USER TEXT / body USER TEXT: of the last snap
subjects() { cut -d' ' -f2- "$M/${1%@*}/subjects"; }
count() { subjects "$1" | grep -c -- "$2"; }
body() { for k in $(grep -F -- "$2" "$M/${1%@*}/subjects" | cut -d' ' -f1); do cat "$M/${1%@*}/$k.eml"; done; }
# settle N: wait until Postfix has delivered N mails to Dovecot in all, then
# until its queue is empty (what a second run might have sent is in too)
settle() { pf_wait_log "relay=127.0.0.1\[127.0.0.1\]:$LMTP.*status=sent" "$1" 30
	for _ in $(seq 50); do [ -z "$(postqueue -c "$PF/conf" -j 2>/dev/null)" ] && break; sleep 0.2; done; }
# mcount USER TEXT: the mails in USER's Maildir (as Dovecot stored them) holding TEXT
mcount() { grep -l -F -- "$2" "$DV/mail/$1/Maildir/new/"* "$DV/mail/$1/Maildir/cur/"* 2>/dev/null | wc -l; }
count() { subjects "$1" | grep -c -- "$2"; }
n=0
# put DAY NAME ORDER: a Sectigo DCV mail for NAME sent at DAY 09:00, delivered at 10:00
put() {
	n=$((n + 1))
	sed "s/123456789/$3/g; s/www.example.net/$2/g; s/^To: .*/To: admin@$2/;
		s/^Date: .*/Date: $(date -R -d "$1 09:00")/; s/^Message-ID: .*/Message-ID: <al$n@t>/" \
		"$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" >"$TEST_TMP/m$n.eml"
	at "$1 10:00" pipe -r "admin@$2" <"$TEST_TMP/m$n.eml" 2>>"$TEST_TMP/log" || not_ok "pipe on $1"
}

put 2026-12-01 a.example.net 1000001
put 2026-12-01 b.example.net 1000002
settle 2
echo "# servers up and two mails forwarded: $(($(date +%s) - t0)) s"
check_eq "the forwards reach the people's mailboxes through Postfix and Dovecot" \
	"$(mcount alice@ops.test 'a.example.net'):$(mcount carol@ops.test 'b.example.net')" "1:1"
A=$(q "select id from requests where order_id = '1000001'")
B=$(q "select id from requests where order_id = '1000002'")
at "2026-12-01 11:00" approve "$B" --record-only >/dev/null 2>&1 || not_ok "approve B"

out=$(at "2026-12-02 10:00" outbox 2>>"$TEST_TMP/log")
check_eq "a day later (digest time passed, nothing overdue): nothing queued" "$out" "0 actions run; 0 queued"
check_eq "no alert and no digest before pending-alert" "$(q "select count(*) from outbox where kind in ('alert', 'digest')")" 0

out=$(at "2026-12-03 10:30" outbox 2>>"$TEST_TMP/log")
check_eq "49.5 hours after the request: its alert and alice's digest are sent" "$out" "2 actions run; 0 queued"
settle 4
snap
check_eq "alice's mailbox holds one alert for the waiting request (read over IMAP)" \
	"$(count alice@ops.test '\[dcvmail\] waiting 49 h: dcv sectigo a.example.net')" 1
check_eq "and one digest for 2026-12-03" "$(count alice@ops.test 'overdue order waiting on you (2026-12-03)')" 1
alert=$(body alice@ops.test "waiting 49 h")
check_contains "the alert says what waits" "$alert" "Domain:   a.example.net"
check_contains "since when" "$alert" "Waiting since: 2026-12-01 09:00 +0900 (49 hours)"
check_contains "and what to do" "$alert" "dcvmail approve $A"
digest=$(body alice@ops.test "(2026-12-03)")
check_contains "the digest lists the overdue order" "$digest" "1. sectigo:1000001  (a.example.net)"
check_contains "with the step, since when" "$digest" "Waiting for: dcv a.example.net, asked 2026-12-01 09:00 +0900"
check_contains "and what to do" "$digest" "What to do: answer the CA's domain control request"
check_not_contains "the digest leaves out the order answered in time" "$digest" "b.example.net"
for m in "$alert" "$digest"; do
	check_not_contains "no approval code in the mail" "$m" "A1b2*C3d4"
	check_not_contains "no approval link in the mail" "$m" "trust-provider.com/products"
done
check_eq "the request answered in time gets no alert, carol (nothing overdue) no digest" \
	"$(subjects carol@ops.test | grep -c 'waiting\|overdue')" 0
check_eq "bob, whom no route names, gets nothing" "$(subjects bob@ops.test | wc -l)" 0

out=$(at "2026-12-03 10:40" outbox 2>>"$TEST_TMP/log")
check_eq "a second run the same day (a restart: a new process) sends nothing" "$out" "0 actions run; 0 queued"
at "2026-12-03 18:00" outbox >/dev/null 2>>"$TEST_TMP/log"
settle 4
check_eq "alice still has one alert and one digest" \
	"$(mcount alice@ops.test 'A request has waited'):$(mcount alice@ops.test 'The daily digest of')" "1:1"
check_eq "the ledger holds one alert row and one digest day" \
	"$(q "select count(*) from outbox where kind = 'alert'"):$(q "select count(*) from digests")" "1:1"

out=$(at "2026-12-04 08:30" outbox 2>>"$TEST_TMP/log")
check_eq "the next day before the digest time (09:00): nothing" "$out" "0 actions run; 0 queued"
out=$(at "2026-12-04 09:30" outbox 2>>"$TEST_TMP/log")
check_eq "after it: the next day's digest, the order still overdue" "$out" "1 action run; 0 queued"
settle 5
check_eq "it arrives once, and no second alert" \
	"$(mcount alice@ops.test 'daily digest of 2026-12-04'):$(mcount alice@ops.test 'A request has waited')" "1:1"

# two runners at once (the timer and the watcher, or two hosts)
at "2026-12-05 09:30" outbox >"$TEST_TMP/r1" 2>>"$TEST_TMP/log" &
p1=$!
at "2026-12-05 09:30" outbox >"$TEST_TMP/r2" 2>>"$TEST_TMP/log" &
p2=$!
wait $p1 $p2
settle 6
check_eq "two concurrent runners send one digest" "$(mcount alice@ops.test 'daily digest of 2026-12-05')" 1
check_eq "one of them ran it, the other found nothing to run" \
	"$(cat "$TEST_TMP/r1" "$TEST_TMP/r2" | grep -c '^1 action run')$(cat "$TEST_TMP/r1" "$TEST_TMP/r2" | grep -c '^0 actions run')" "11"

# the mail server down at digest time (nothing listens where the config
# says): retried, then sent once
sed "s|smtp://127.0.0.1:$PF_PORT|smtp://127.0.0.1:$(free_port)|" "$TEST_TMP/c.conf" >"$TEST_TMP/down.conf"
out=$(DCVMAIL_CONFIG="$TEST_TMP/down.conf" at "2026-12-06 09:30" outbox 2>>"$TEST_TMP/log")
check_eq "SMTP down: the digest is tried and stays queued" "$out" "1 action run; 1 queued"
check_contains "the log says it will be retried" "$(cat "$TEST_TMP/log")" "digest will retry"
out=$(at "2026-12-06 09:30:20" outbox 2>>"$TEST_TMP/log")
check_eq "before its backoff has passed, nothing is tried" "$out" "0 actions run; 1 queued"
out=$(at "2026-12-06 09:35" outbox 2>>"$TEST_TMP/log")
check_eq "after it, the retry sends it" "$out" "1 action run; 0 queued"
at "2026-12-06 09:40" outbox >/dev/null 2>>"$TEST_TMP/log"
settle 7
check_eq "the day's digest arrived once, none was lost" "$(mcount alice@ops.test 'daily digest of 2026-12-06')" 1

# the watcher's periodic outbox run does the same (here it serves only the
# pipe socket): the next day's digest
{ cat "$TEST_TMP/c.conf"; echo "pipe-server yes"; } >"$TEST_TMP/watch.conf"
# (not clock_at: a function run in the background is a subshell, and $!
# would be its pid, not the watcher's)
FAKETIME="@2026-12-07 09:30:00" LD_PRELOAD="$FAKETIME_LIB" "$DCVMAIL" -c "$TEST_TMP/watch.conf" watch 2>>"$TEST_TMP/log" &
wpid=$!
settle 8
kill "$wpid" 2>/dev/null; wait "$wpid"
check_eq "the watcher stops on SIGTERM (exit 0)" "$?" 0
check_eq "and no dcvmail of this test is left running" "$(pgrep -f -- "$TEST_TMP/watch.conf" | wc -l)" 0
check_eq "the watcher sends the day's digest once" "$(mcount alice@ops.test 'daily digest of 2026-12-07')" 1

# a digest that could not be sent on its day is not sent the next: that
# day has its own. Since 2026-12-08 11:00 carol's order waits on the CA:
# approved on 2026-12-01, no issued notice 168 hours later (order-overdue
# issuance), so carol has a digest due too.
out=$(DCVMAIL_CONFIG="$TEST_TMP/down.conf" at "2026-12-08 23:00" outbox 2>>"$TEST_TMP/log")
check_eq "SMTP down all evening: alice's and carol's digests of 2026-12-08 stay queued" "$out" "2 actions run; 2 queued"
out=$(at "2026-12-09 08:00" outbox 2>>"$TEST_TMP/log")
check_eq "the next morning they are done with" "$out" "2 actions run; 0 queued"
check_contains "not sent: the log says the day's digest replaces it" "$(cat "$TEST_TMP/log")" \
	"the digest of 2026-12-08 for alice@ops.test was not sent that day: today's replaces it"
at "2026-12-09 09:30" outbox >/dev/null 2>>"$TEST_TMP/log"
settle 10
check_eq "and the digests of 2026-12-09 come at their time" \
	"$(mcount alice@ops.test 'daily digest of 2026-12-08'):$(mcount alice@ops.test 'daily digest of 2026-12-09'):$(mcount carol@ops.test 'daily digest of 2026-12-09')" "0:1:1"
snap
check_contains "carol's digest: the order waits for issuance" "$(body carol@ops.test '(2026-12-09)')" \
	"Waiting for: issuance"
check_contains "and what to do about it" "$(body carol@ops.test '(2026-12-09)')" "no issued notice came"

# answered: alice's order is no longer overdue, so she gets no more digests
at "2026-12-09 12:00" approve "$A" --record-only >/dev/null 2>&1
out=$(at "2026-12-10 09:30" outbox 2>>"$TEST_TMP/log")
check_eq "once her request is answered, only carol's digest goes the next day" "$out" "1 action run; 0 queued"
settle 11
snap
check_eq "read over IMAP, alice's mailbox holds the forward, the alert and six digests" \
	"$(subjects alice@ops.test | wc -l):$(count alice@ops.test 'waiting 49 h')" "8:1"
check_eq "one digest a day, 2026-12-03 to 2026-12-09, none for the day SMTP was down" \
	"$(subjects alice@ops.test | sed -n 's/.*waiting on you (\(.*\))$/\1/p' | sort | tr '\n' ' ')" \
	"2026-12-03 2026-12-04 2026-12-05 2026-12-06 2026-12-07 2026-12-09 "
check_eq "carol: her forward and the digests of 2026-12-09 and 2026-12-10, no alert; bob nothing" \
	"$(subjects carol@ops.test | wc -l):$(subjects carol@ops.test | sed -n 's/.*waiting on you (\(.*\))$/\1/p' | tr '\n' ' '):$(count carol@ops.test 'waiting [0-9]'):$(subjects bob@ops.test | wc -l)" \
	"3:2026-12-09 2026-12-10 :0:0"
check_not_contains "no log line holds the approval code" "$(cat "$TEST_TMP/log")" "A1b2*C3d4"
[ "$T_FAILED" -eq 0 ] || { sed 's/^/# /' "$TEST_TMP/log"; tail -20 "$PF_LOG" | sed 's/^/# /'; }
echo "# alerts.sh: $(($(date +%s) - t0)) s"
t_done
