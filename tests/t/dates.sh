# When a mail was sent: ages, the 30-day DCV expiry and pending-alert count
# from its Date: (checked against Received: and arrival), not from when it was
# recorded; people read local time (TZ) with its zone, JSON stays UTC, and a
# bare --until date is the end of that local day.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
export DCVMAIL_CONFIG=""
q() { sqlite3 "$S/ledger.db" "$1"; }
FIX="$TOP/tests/corpus/ca/sectigo-dcv-plain.eml"

# mail FILE ORDER DATE [RECEIVED-DATE]: the Sectigo fixture for another order, sent at DATE
mail() {
	{
		[ -n "$4" ] && printf 'Received: from mx.example.net by mail.example.net with ESMTPS id 4Q; %s\n' "$4"
		sed "s/123456789/$2/g; s/^Date: .*/Date: $3/; s/^Message-ID: .*/Message-ID: <$2.$$@t>/" "$FIX"
	} >"$1"
}
rfc() { date -u -R -d "$1"; }

mail "$TEST_TMP/old.eml" 900000001 "$(rfc '90 days ago')" "$(rfc '90 days ago + 2 minutes')"
mail "$TEST_TMP/new.eml" 900000002 "$(rfc '2 hours ago')" "$(rfc '2 hours ago + 1 minute')"
mail "$TEST_TMP/future.eml" 900000003 "$(rfc '400 days')"
"$DCVMAIL" -d "$S" check -q "$TEST_TMP/old.eml" "$TEST_TMP/new.eml" "$TEST_TMP/future.eml" >/dev/null 2>&1
check_eq "three mails recorded" "$(q "select count(*) from requests")" 3

row() { "$DCVMAIL" -d "$S" list | awk -v o="$1" '$0 ~ o { print $2, $8 }'; }
check_eq "a three-month-old DCV request imported today is expired, 90 days old" "$(row 900000001)" "expired 90d"
check_eq "a mail sent two hours ago is pending, 2h old" "$(row 900000002)" "pending 2h"
check_eq "a Date in the future counts as its arrival" "$(row 900000003)" "pending 0m"
out=$("$DCVMAIL" -d "$S" list --json | grep 900000001)
check_contains "list --json says expired too" "$out" '"state":"expired"'
check_contains "and when it was asked, in UTC" "$out" "\"asked\":\"$(date -u -d '90 days ago' +%Y-%m-%d)T"
out=$("$DCVMAIL" -d "$S" report)
check_eq "report: 2 pending for the name (the fresh and the future one, not the expired one)" \
	"$(printf '%s\n' "$out" | awk '/^www.example.net/ { print $5 }')" 2
line=$("$DCVMAIL" -d "$S" report --check)
check_eq "report --check: the oldest pending is 2 hours old, not 90 days" \
	"$(printf '%s' "$line" | sed 's/.*oldest_pending=\([0-9]*\)s.*/\1/' | awk '{ print int($1 / 3600) }')" 2

# pending-alert counts from the Date: too
mail "$TEST_TMP/late.eml" 900000004 "$(rfc '3 days ago')" "$(rfc '3 days ago + 1 minute')"
"$DCVMAIL" -d "$S" check -q "$TEST_TMP/late.eml" >/dev/null 2>&1
"$DCVMAIL" -d "$S" report --check >/dev/null; check_eq "a 3-day-old mail recorded now is past pending-alert (48h)" "$?" 2

# a copy: an unauthenticated one with an older date does not make the request older
mail "$TEST_TMP/copy.eml" 900000002 "$(rfc '40 days ago')"
sed -i 's/^To: .*/To: webmaster@example.net/' "$TEST_TMP/copy.eml"
"$DCVMAIL" -d "$S" check -q "$TEST_TMP/copy.eml" >/dev/null 2>&1
check_eq "an unauthenticated copy dated 40 days back joins the request" \
	"$(q "select copies from requests where order_id = '900000002'")" 2
check_eq "but does not expire it" "$(row 900000002)" "pending 2h"

# people read local time; JSON stays UTC
id=$(q "select id from requests where order_id = '900000002'")
out=$(TZ=Asia/Tokyo "$DCVMAIL" -d "$S" show "$id")
check_contains "TZ=Asia/Tokyo: show gives the time in JST" "$out" \
	"recorded $(TZ=Asia/Tokyo date -d "@$(q "select first_seen from requests where id = $id")" '+%Y-%m-%d %H:%M JST')"
check_contains "and when it was asked" "$out" \
	"asked $(TZ=Asia/Tokyo date -d "@$(q "select asked from requests where id = $id")" '+%Y-%m-%d %H:%M JST')"
out=$(TZ=UTC "$DCVMAIL" -d "$S" show "$(q "select id from requests where order_id = '900000001'")")
check_contains "show marks a message sent long before it was recorded" "$out" "(sent $(date -u -d '90 days ago' +%Y-%m-%d)"
out=$(TZ=Asia/Tokyo "$DCVMAIL" -d "$S" show --json "$id")
check_contains "show --json stays in UTC" "$out" "\"first_seen\":\"$(q "select strftime('%Y-%m-%dT%H:%M:%SZ', first_seen, 'unixepoch') from requests where id = $id")\""

# --until DATE: the end of that day where the admin is
TZ=Asia/Tokyo "$DCVMAIL" -d "$S" expect add --ca sectigo --domain www.example.net --until 2099-12-31 >"$TEST_TMP/e" 2>&1
check_eq "expect add --until 2099-12-31 under TZ=Asia/Tokyo ends at 23:59:59 JST (14:59:59 UTC)" \
	"$(q "select datetime(until, 'unixepoch') from expectations order by id desc limit 1")" "2099-12-31 14:59:59"
check_contains "and says so in local time" "$(cat "$TEST_TMP/e")" "until 2099-12-31 23:59 JST"
TZ=UTC "$DCVMAIL" -d "$S" expect add --ca sectigo --domain www2.example.net --until 2099-12-31T10:00:00Z >/dev/null 2>&1
check_eq "a time with Z is UTC whatever TZ says" \
	"$(q "select datetime(until, 'unixepoch') from expectations order by id desc limit 1")" "2099-12-31 10:00:00"
check_contains "expect list shows local time" "$(TZ=Asia/Tokyo "$DCVMAIL" -d "$S" expect list)" "2099-12-31 19:00 JST"
t_done
