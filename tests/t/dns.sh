# dcvmail dns: the DNS contacts a CA may write to (TXT _validation-contact*,
# CAA contactemail/contactphone, RFC 8659 climbing), checked against what
# dcvmail watches; a private dnsmasq on 127.0.0.1 serves the records.
. "$TOP/tests/lib.sh"
command -v dnsmasq >/dev/null || { skip "dnsmasq not installed"; exit 0; }
D=
trap '[ -n "$D" ] && kill $D 2>/dev/null' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
caa() { python3 -c "import sys; t=sys.argv[1].encode(); v=sys.argv[2].encode(); print((bytes([0,len(t)])+t+v).hex())" "$1" "$2"; }
C1=$(caa contactemail caa-contact@example.test); C2=$(caa issue ca.example)
dnsmasq --no-daemon --no-resolv --no-hosts --local=/example.test/ --local=/other.test/ --listen-address=127.0.0.1 --bind-interfaces \
	--port="$PORT" --pid-file="$TEST_TMP/dnsmasq.pid" \
	--txt-record=_validation-contactemail.www.example.test,"dcv@example.test" \
	--txt-record=_validation-contactphone.example.test,"+81312345678" \
	--txt-record=_validation-contactemail.bad.example.test,"dcv@example.test or hostmaster@example.test" \
	--txt-record=_validation-contactemail.imap.example.test,"whois-contact@example.test" \
	--txt-record=_validation-contactemail.esc.example.test,"dcv$(printf '\302\233')2J$(printf '\342\200\256')@example.test" \
	--dns-rr=example.test,257,"$C1" --dns-rr=example.test,257,"$C2" --dns-rr=own.example.test,257,"$C2" \
	--local=/ne.jp/ --local=/xn--bcher-kva.test/ \
	--txt-record=_validation-contactemail.ne.jp,"suffix@ne.jp" --dns-rr=ne.jp,257,"$C1" \
	--txt-record=_validation-contactemail.www.xn--bcher-kva.test,"dcv@example.test" \
	>"$TEST_TMP/dnsmasq.log" 2>&1 &
D=$!
for _ in $(seq 50); do grep -q "cleared cache\|started" "$TEST_TMP/dnsmasq.log" 2>/dev/null && break; sleep 0.1; done
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
dns-server 127.0.0.1:$PORT
role txt dcv@example.test
mailbox whois {
  url imaps://imap.example.test/INBOX
  user whois-contact@example.test
  password-file $TEST_TMP/pw
  role whois
}
CONF
dns() { "$DCVMAIL" -c "$TEST_TMP/c.conf" dns "$@"; }

out=$(dns esc.example.test 2>&1)
check_contains "a TXT value with CSI and a bidi override is shown escaped" "$out" 'dcv\u009b2J\u202e@example.test'
check_not_contains "and no raw CSI reaches the terminal" "$out" "$(printf '\302\233')"
out=$(dns www.example.test 2>&1); rc=$?
check_contains "the TXT contact at the name is found" "$out" "_validation-contactemail.www.example.test"
check_contains "and is watched through its role" "$out" "dcv@example.test  watched: role txt"
check_contains "a phone contact at a parent is found" "$out" "+81312345678"
check_contains "the CAA contactemail is found by climbing the tree" "$out" "CAA  example.test"
check_contains "and reported when nothing of dcvmail receives it" "$out" "caa-contact@example.test  NOT WATCHED"
check_contains "with the SC-090 reminder" "$out" "SC-090"
check_eq "an unwatched contact exits 1" "$rc" 1
out=$(dns imap.example.test 2>&1)
check_contains "an address read by an IMAP mailbox block is watched" "$out" "whois-contact@example.test  watched: mailbox whois"
out=$(dns bad.example.test 2>&1)
check_contains "a TXT value that is more than one address is invalid" "$out" "INVALID: not exactly one email address"
out=$(dns own.example.test 2>&1); rc=$?
check_not_contains "a name with its own CAA set does not inherit the parent's contacts (RFC 8659)" "$out" "caa-contact@"
check_contains "it still sees the TXT phone contact of its parent" "$out" "+81312345678"
out=$(dns --json www.example.test 2>/dev/null)
check_eq "--json gives the contacts" "$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(len(o["contacts"]), o["contacts"][0]["watched"], o["dnssec"])')" "3 role txt False"
out=$(dns www.other.test 2>&1); rc=$?
check_eq "a name without contacts exits 0" "$rc:$(printf '%s' "$out" | head -1)" "0:www.other.test: 0 DNS contacts"
# issue 16: the climb stops at the registrable domain (Public Suffix List)
out=$(dns www.shop.ne.jp 2>&1)
check_eq "no contact of the public suffix ne.jp is taken for shop.ne.jp's" "$(printf '%s' "$out" | head -1)" "www.shop.ne.jp: 0 DNS contacts"
check_not_contains "neither its TXT nor its CAA contact" "$out" "suffix@ne.jp"
out=$(dns 'www.bücher.test' 2>&1)
check_contains "a U-label name is asked for as its A-label" "$out" "_validation-contactemail.www.xn--bcher-kva.test"
check_contains "and shown with its Unicode form" "$out" "www.xn--bcher-kva.test (www.bücher.test): 1 DNS contact"
out=$(dns 'xn--zz.test' 2>&1); rc=$?
check_eq "an invalid A-label is refused (exit 64)" "$rc" 64
check_contains "with the reason" "$out" "not a valid internationalised domain name"
kill $D; wait $D 2>/dev/null; D=
out=$(dns www.example.test 2>&1); rc=$?
check_eq "the DNS server down: exit 75" "$rc" 75
check_contains "with a clear error" "$out" "DNS query for _validation-contactemail.www.example.test failed"
t_done
