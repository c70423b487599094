# report --sunset: per domain validated by email, until when the validation
# may be reused (SC-081) and whether the next one can still be made by email
# (SC-080 ended WHOIS contacts on 2025-07-15, SC-090 ends constructed and
# DNS-contact addresses on 2028-03-15), at each boundary day. The clock is
# moved with libfaketime. The same judgement per DCV step in `orders ORDER`
# (issue 21 item 5), Japanese widths, and --dns against a private dnsmasq.
. "$TOP/tests/lib.sh"
if [ -z "$FAKETIME_LIB" ]; then
	not_ok "libfaketime is not installed (contrib/install-deps installs it)"
	t_done
fi
# libfaketime is preloaded (clock_at, tests/lib.sh); an ASan build (make check SANITIZE=1) must allow that
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
S="$TEST_TMP/state"
printf '%s\n' "state-dir $S" "role constructed admin@example.net" "role txt dcv-contact@example.net" \
	"role whois domains@example.net" >"$TEST_TMP/c.conf"
export DCVMAIL_CONFIG="$TEST_TMP/c.conf"
q() { sqlite3 "$S/ledger.db" "$1"; }
n=0
# at DAY ADDRESS NAME: a Sectigo DCV mail for NAME delivered on DAY to ADDRESS, and
# approved by a person the same day
at() {
	n=$((n + 1))
	sed "s/123456789/12345670$n/g; s/www.example.net/$3/g; s/^To: .*/To: $2/; s/^Date: .*/Date: $(date -u -R -d "$1 09:00")/;
		s/^Message-ID: .*/Message-ID: <s$n@t>/" "$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" >"$TEST_TMP/m$n.eml"
	clock_at "$1 10:00:00" "$DCVMAIL" pipe -r "$2" <"$TEST_TMP/m$n.eml" || not_ok "pipe on $1"
	id=$(q "select id from requests where order_id = '12345670$n'")
	clock_at "$1 11:00:00" "$DCVMAIL" approve "$id" --record-only >/dev/null || not_ok "approve on $1"
}
# row DAY NAME: NAME's line of report --sunset on DAY, the columns after the domain
row() { clock_at "$1 12:00:00" "$DCVMAIL" report --sunset | awk -v d="$2" '$1 == d { $1 = ""; print substr($0, 2) }'; }

at 2026-03-14 admin@example.net a.example.net
at 2026-03-15 admin@example.net b.example.net
check_eq "validated 2026-03-14 by a constructed address: reused 398 days, next by email allowed" \
	"$(row 2026-03-14 a.example.net)" \
	"sectigo constructed address 2026-03-14 2027-04-16 2028-03-15 due 2027-04-16: by email still allowed"
check_eq "validated 2026-03-15: 200 days, and email SHOULD NOT be used any more" \
	"$(row 2026-03-15 b.example.net)" \
	"sectigo constructed address 2026-03-15 2026-10-01 2028-03-15 due 2026-10-01: by email still allowed (SHOULD NOT since 2026-03-15)"
at 2027-03-14 dcv-contact@example.net c.example.net
at 2027-03-15 dcv-contact@example.net d.example.net
check_eq "validated 2027-03-14 through the TXT contact: 200 days" \
	"$(row 2027-03-14 c.example.net)" \
	"sectigo DNS TXT contact 2027-03-14 2027-09-30 2028-03-15 due 2027-09-30: by email still allowed (SHOULD NOT since 2026-03-15)"
check_eq "validated 2027-03-15: 100 days" "$(row 2027-03-15 d.example.net | cut -d' ' -f6)" "2027-06-23"
at 2027-12-10 admin@example.net e.example.net
check_eq "validated 2027-12-10: 100 days would pass 2028-03-15, so the reuse ends there and the next is not by email" \
	"$(row 2027-12-10 e.example.net)" \
	"sectigo constructed address 2027-12-10 2028-03-15 2028-03-15 due 2028-03-15: not by email (it ends 2028-03-15)"
check_eq "on 2028-03-14 the method has not ended yet" "$(row 2028-03-14 e.example.net | cut -d' ' -f7-)" \
	"due 2028-03-15: not by email (it ends 2028-03-15)"
check_eq "on 2028-03-15 it has" "$(row 2028-03-15 e.example.net | cut -d' ' -f7-)" "not by email: the method ended 2028-03-15"
at 2025-07-14 domains@example.net f.example.net
check_eq "a WHOIS contact validated 2025-07-14: its method ends the next day" \
	"$(row 2025-07-14 f.example.net)" \
	"sectigo WHOIS contact 2025-07-14 2026-08-16 2025-07-15 due 2026-08-16: not by email (it ends 2025-07-15)"
check_eq "and from 2025-07-15 it has ended" "$(row 2025-07-15 f.example.net | cut -d' ' -f7-)" \
	"not by email: the method ended 2025-07-15"
out=$(clock_at "2027-12-10 12:00:00" "$DCVMAIL" report --sunset)
check_contains "the report names the methods without mail" "$out" "_validation-persist TXT record (3.2.2.4.22)"
json=$(clock_at "2027-12-10 12:00:00" "$DCVMAIL" report --sunset --json | grep '"e.example.net"')
check_contains "--json: the method's BR section" "$json" '"br_section":"3.2.2.4.4"'
check_contains "--json: whether the next one can be by email" "$json" '"next_by_email":false'
# issue 21 item 5: `orders ORDER` shows the same judgement for each DCV step validated by email
# orow DAY ORDER NAME: NAME's row in the email-validation table of `orders ORDER` on DAY
orow() { clock_at "$1 12:00:00" "$DCVMAIL" orders "$2" | awk -v d="$3" '$1 == d { $1 = ""; print substr($0, 2) }'; }
for c in "2026-03-14 123456701 a.example.net" "2026-03-15 123456702 b.example.net" \
	"2028-03-14 123456705 e.example.net" "2028-03-15 123456705 e.example.net" "2025-07-15 123456706 f.example.net"; do
	set -- $c
	check_eq "orders sectigo:$2 on $1: $3's email validation as report --sunset has it" \
		"$(orow "$1" "sectigo:$2" "$3")" "$(row "$1" "$3")"
done
check_contains "under its own heading" "$(clock_at "2028-03-14 12:00:00" "$DCVMAIL" orders sectigo:123456705)" \
	"validated by email (as report --sunset judges it):"
json=$(clock_at "2028-03-14 12:00:00" "$DCVMAIL" orders --json sectigo:123456705)
check_eq "orders --json ORDER: the DCV step's email_validation" \
	"$(printf '%s' "$json" | python3 -c 'import json,sys; s=[s for s in json.load(sys.stdin)["steps"] if s["step"]=="dcv e.example.net"][0]["email_validation"]; print(s["br_section"], s["reuse_until"], s["next_by_email"])')" \
	"3.2.2.4.4 2028-03-15T00:00:00Z False"
# a step not validated by email (pending; marked done by a person) has none
sed "s/123456789/123456799/g; s/www.example.net/g.example.net/g; s/^To: .*/To: admin@example.net/; s/^Message-ID: .*/Message-ID: <g@t>/" \
	"$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" | "$DCVMAIL" pipe -r admin@example.net >/dev/null 2>&1
check_eq "a pending DCV step: email_validation null" \
	"$("$DCVMAIL" orders --json sectigo:123456799 | python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["steps"] if s["step"].startswith("dcv ")][0]["email_validation"])')" "None"
check_not_contains "and no email-validation table" "$("$DCVMAIL" orders sectigo:123456799)" "validated by email"
"$DCVMAIL" done sectigo:123456799 dcv:g.example.net --note "validated by DNS" >/dev/null
check_not_contains "a step a person marked done: no email validation claimed" "$("$DCVMAIL" orders sectigo:123456799)" "validated by email"
# widths: a Japanese (U-label) name, shown with its Unicode form, does not shift the columns
at 2026-12-01 admin@example.net "www.日本語.example"
for cmd in "report --sunset" "orders sectigo:12345670$n"; do
	clock_at "2026-12-01 12:00:00" "$DCVMAIL" $cmd >"$TEST_TMP/table"
	python3 - "$TEST_TMP/table" "$cmd" <<'PY'
import sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
head = [l for l in rows if "REUSE-UNTIL" in l][0]
starts = {w(head[:head.find("METHOD")])}
for l in rows:
    if "constructed address" in l or "DNS TXT contact" in l or "WHOIS contact" in l:
        starts.add(w(l[:l.find(" constructed") + 1 if "constructed" in l else l.find(" DNS TXT") + 1 if "DNS TXT" in l else l.find(" WHOIS") + 1]))
jp = any("日本語" in l for l in rows)
print(("ok - " if len(starts) == 1 and jp else "not ok - ") + "%s: the METHOD column starts at one display column on every row, the Japanese one too (%s)" % (sys.argv[2], sorted(starts)))
PY
done

# --dns: what each domain's DNS is set up for, from a private dnsmasq (as tests/t/dns.sh)
if command -v dnsmasq >/dev/null; then
	PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	dnsmasq --no-daemon --no-resolv --no-hosts --local=/example.net/ --local=/example/ --listen-address=127.0.0.1 --bind-interfaces \
		--port="$PORT" --pid-file="$TEST_TMP/dnsmasq.pid" \
		--txt-record=_validation-persist.e.example.net,"sectigo.com; accounturi=https://acme.example/acct/1" \
		--txt-record=_validation-contactemail.c.example.net,"dcv-contact@example.net" \
		--txt-record=_validation-contactphone.c.example.net,"+81312345678" \
		>"$TEST_TMP/dnsmasq.log" 2>&1 &
	DNSMASQ=$!
	trap 'kill $DNSMASQ 2>/dev/null' EXIT
	for _ in $(seq 50); do grep -q "cleared cache\|started" "$TEST_TMP/dnsmasq.log" 2>/dev/null && break; sleep 0.1; done
	cp "$TEST_TMP/c.conf" "$TEST_TMP/d.conf"
	echo "dns-server 127.0.0.1:$PORT" >>"$TEST_TMP/d.conf"
	sdns() { clock_at "$1 12:00:00" "$DCVMAIL" -c "$TEST_TMP/d.conf" report --sunset --dns; }
	# dns DAY NAME: the DNS line after NAME's row
	dnsl() { sdns "$1" | awk -v d="$2" 'f { print; exit } $1 == d { f = 1 }' | sed 's/^ *//'; }
	check_eq "--dns: a persistent _validation-persist record is named with its CA (3.2.2.4.22)" \
		"$(dnsl 2028-03-14 e.example.net)" "DNS: persistent TXT record for sectigo.com (3.2.2.4.22, not mail)"
	check_eq "the TXT email and phone contacts, the email one watched" \
		"$(dnsl 2027-03-14 c.example.net)" \
		"DNS: email to TXT contact dcv-contact@example.net (3.2.2.4.14); phone to TXT contact +81312345678"
	check_eq "nothing set up, and the next validation can still be by email" \
		"$(dnsl 2026-03-14 a.example.net)" "DNS: no _validation-persist record, no DNS contact"
	check_eq "nothing set up, and email has ended: what to do" \
		"$(dnsl 2025-07-15 f.example.net)" \
		"DNS: no _validation-persist record, no DNS contact; next: publish _validation-persist for the CA, or use DNS or HTTP"
	check_eq "without --dns there is no DNS line" "$(clock_at "2028-03-14 12:00:00" "$DCVMAIL" -c "$TEST_TMP/d.conf" report --sunset | grep -c 'DNS: ')" 0
	json=$(clock_at "2028-03-14 12:00:00" "$DCVMAIL" -c "$TEST_TMP/d.conf" report --sunset --dns --json | grep '"e.example.net"')
	check_contains "--dns --json: the persistent record's issuer" "$json" '"persist":[{"name":"_validation-persist.e.example.net","value":"sectigo.com; accounturi=https://acme.example/acct/1","issuer":"sectigo.com"}]'
	check_contains "dcvmail dns shows the persistent record too" \
		"$("$DCVMAIL" -c "$TEST_TMP/d.conf" dns e.example.net)" "persistent validation (BR 3.2.2.4.22) for sectigo.com: not mail"
	kill $DNSMASQ; wait $DNSMASQ 2>/dev/null
	out=$(sdns 2028-03-14 2>&1); rc=$?
	check_eq "--dns with the resolver down: every row still reported, then exit 75" \
		"$rc:$(printf '%s\n' "$out" | grep -c '^  DNS: lookup failed')" "75:$(printf '%s\n' "$out" | grep -c ' constructed address \| DNS TXT contact \| WHOIS contact ')"
	check_contains "the first lookup says why" "$out" "DNS: lookup failed: DNS query for"
	check_contains "the rest are not tried again (one timeout, not one per name)" "$out" "not looked up after an earlier failure"
	check_contains "and the error says how many" "$out" "the DNS lookup failed for 7 of 7 domains"
	"$DCVMAIL" report --dns >/dev/null 2>&1
	check_eq "--dns without --sunset is a usage error (64)" "$?" 64
else
	skip "dnsmasq not installed: report --sunset --dns untested"
fi
"$DCVMAIL" report --sunset --check >/dev/null 2>&1
check_eq "--sunset with --check is a usage error (3: with --check every error is UNKNOWN)" "$?" 3
"$DCVMAIL" report --sunset --prometheus - >/dev/null 2>&1
check_eq "--sunset with --prometheus is a usage error (64)" "$?" 64
t_done
