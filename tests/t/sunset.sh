# report --sunset: per domain validated by email, until when the validation
# may be reused (SC-081) and whether the next one can still be made by email
# (SC-080 ended WHOIS contacts on 2025-07-15, SC-090 ends constructed and
# DNS-contact addresses on 2028-03-15), at each boundary day. The clock is
# moved with faketime.
. "$TOP/tests/lib.sh"
if ! command -v faketime >/dev/null; then
	not_ok "faketime is not installed (contrib/install-deps installs it)"
	t_done
fi
# faketime preloads itself; an ASan build (make check SANITIZE=1) must allow that
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
	faketime "$1 10:00:00" "$DCVMAIL" pipe -r "$2" <"$TEST_TMP/m$n.eml" || not_ok "pipe on $1"
	id=$(q "select id from requests where order_id = '12345670$n'")
	faketime "$1 11:00:00" "$DCVMAIL" approve "$id" --record-only >/dev/null || not_ok "approve on $1"
}
# row DAY NAME: NAME's line of report --sunset on DAY, the columns after the domain
row() { faketime "$1 12:00:00" "$DCVMAIL" report --sunset | awk -v d="$2" '$1 == d { $1 = ""; print substr($0, 2) }'; }

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
out=$(faketime "2027-12-10 12:00:00" "$DCVMAIL" report --sunset)
check_contains "the report names the methods without mail" "$out" "_validation-persist TXT record (3.2.2.4.22)"
json=$(faketime "2027-12-10 12:00:00" "$DCVMAIL" report --sunset --json | grep '"e.example.net"')
check_contains "--json: the method's BR section" "$json" '"br_section":"3.2.2.4.4"'
check_contains "--json: whether the next one can be by email" "$json" '"next_by_email":false'
"$DCVMAIL" report --sunset --check >/dev/null 2>&1
check_eq "--sunset with --check is a usage error (3: with --check every error is UNKNOWN)" "$?" 3
"$DCVMAIL" report --sunset --prometheus - >/dev/null 2>&1
check_eq "--sunset with --prometheus is a usage error (64)" "$?" 64
t_done
