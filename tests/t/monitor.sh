# Monitoring: `report --check` as a Nagios/Icinga plugin (exit 0/1/2/3, one
# status line, perfdata), `report --prometheus` (checked by promtool when it is
# installed, and by a strict parser here in any case), `check
# --fail-on-suspicious`, and `approve --dry-run` exiting as the real run would.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
export DCVMAIL_CONFIG=""
q() { sqlite3 "$S/ledger.db" "$1"; }
# the fixtures, sent today (ages count from their Date:)
FIX="$TEST_TMP/ca"; PHISH="$TEST_TMP/phish"; mkdir -p "$FIX" "$PHISH"
for f in ca/sectigo-dcv-plain ca/sectigo-dcv-wildcard phish/foreign-sender; do
	sed "s/^Date: .*/Date: $(date -u -R)/" "$TOP/tests/corpus/$f.eml" >"$TEST_TMP/$f.eml"
done

# plugin NAME EXPECTED-EXIT: run report --check, keep its line in $line
plugin() {
	line=$("$DCVMAIL" -d "$S" report --check 2>"$TEST_TMP/plugin.err"); prc=$?
	check_eq "$1: exit $2" "$prc" "$2"
	check_eq "$1: exactly one line on standard output" "$(printf '%s\n' "$line" | wc -l)" 1
}
# perf LABEL: the value of a perfdata label, checked against the plugin
# guidelines' grammar ('label'=value[UOM];[warn];[crit];[min];[max])
perf() {
	python3 - "$line" "$1" <<'PY'
import re, sys
line, want = sys.argv[1], sys.argv[2]
text, sep, data = line.partition(" | ")
assert sep, "no perfdata"
vals = {}
for item in data.split():
    m = re.fullmatch(r"([A-Za-z0-9_]+)=(-?[0-9.]+)(s|ms|us|%|B|KB|MB|TB|c)?;([0-9.]*);([0-9.]*);([0-9.]*)(;[0-9.]*)?", item)
    assert m, "bad perfdata item " + item
    vals[m.group(1)] = m.group(2)
print(vals.get(want, "missing"))
PY
}

# an empty ledger: nothing to do
"$DCVMAIL" -d "$S" check -q /dev/null >/dev/null 2>&1
mkdir -p "$S"; "$DCVMAIL" -d "$S" check -q "$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
q "delete from request_copies; delete from outbox; delete from messages; delete from requests"
plugin "an empty ledger" 0
check_contains "it says OK" "$line" "DCVMAIL OK - 0 pending"
check_eq "perfdata: pending=0" "$(perf pending)" 0

# a fresh request: waiting, not yet overdue
"$DCVMAIL" -d "$S" check -q "$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
q "update requests set first_seen = strftime('%s','now') - 3600, asked = strftime('%s','now') - 3600"
plugin "one fresh pending request" 0
check_eq "perfdata: pending=1" "$(perf pending)" 1
check_eq "perfdata: overdue=0" "$(perf overdue)" 0
check_eq "perfdata: oldest_pending is its age in seconds" "$(( $(perf oldest_pending) / 60 ))" 60

# past pending-alert (48 h by default): critical
q "update requests set asked = strftime('%s','now') - 50 * 3600"
plugin "a request waiting 50 hours" 2
check_contains "it says CRITICAL and why" "$line" "DCVMAIL CRITICAL - 1 request waiting longer than 48h (oldest 2d)"
check_eq "perfdata: overdue=1" "$(perf overdue)" 1
printf 'pending-alert 72\n' >"$TEST_TMP/72.conf"
line=$("$DCVMAIL" -c "$TEST_TMP/72.conf" -d "$S" report --check); prc=$?
check_eq "pending-alert 72 in the config: the same request is not overdue" "$prc" 0
# a DCV request past the 30 days of its random value is no longer waiting
q "update requests set asked = strftime('%s','now') - 31 * 86400"
plugin "a DCV request past 30 days" 0
check_eq "it is counted as expired, not pending" "$(perf pending)" 0
q "delete from request_copies; delete from outbox; delete from messages; delete from requests"

# suspicious mail in the last 24 hours: warning
"$DCVMAIL" -d "$S" check -q "$PHISH/foreign-sender.eml" >/dev/null 2>&1
plugin "suspicious mail today" 1
check_contains "it says WARNING and why" "$line" "DCVMAIL WARNING - 1 suspicious message in 24h"
check_eq "perfdata: suspicious_24h=1" "$(perf suspicious_24h)" 1
q "update messages set received = received - 25 * 3600"
plugin "the same mail a day later" 0

# an action given up on while its request waits: warning; deciding the request clears it
"$DCVMAIL" -d "$S" check -q "$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
rid=$(q "select id from requests where key not like 'suspicious:%' limit 1")
q "insert into outbox (request_id, kind, target, why, created, next_try, attempts, done, ok, last_error)
   values ($rid, 'forward', 'smtp://127.0.0.1', 'test', 0, 0, 5, 1, 0, 'refused')"
plugin "a forward given up on" 1
check_contains "it says so" "$line" "1 action given up"
"$DCVMAIL" -d "$S" reject "$rid" >/dev/null 2>&1
plugin "after the request was rejected" 0

# the ledger cannot be read: unknown, still one line
chmod 000 "$S/ledger.db"
if [ "$(id -u)" -ne 0 ]; then
	plugin "an unreadable ledger" 3
	check_contains "it says UNKNOWN" "$line" "DCVMAIL UNKNOWN - "
fi
chmod 600 "$S/ledger.db"
line=$("$DCVMAIL" -d "$TEST_TMP/nothing-here" report --check 2>/dev/null); prc=$?
check_eq "no ledger: UNKNOWN (3)" "$prc" 3
check_contains "naming the problem on the status line" "$line" "DCVMAIL UNKNOWN - "
printf 'no-such-keyword 1\n' >"$TEST_TMP/bad.conf"
line=$("$DCVMAIL" -c "$TEST_TMP/bad.conf" -d "$S" report --check 2>/dev/null); prc=$?
check_eq "a broken config: UNKNOWN (3)" "$prc:$line" "3:DCVMAIL UNKNOWN - the configuration cannot be loaded (see the error above)"
"$DCVMAIL" -d "$S" report --check --bogus >/dev/null 2>&1
check_eq "a bad option: UNKNOWN (3)" "$?" 3

# Prometheus: a file for node_exporter's textfile collector
"$DCVMAIL" -d "$S" check -q "$FIX/sectigo-dcv-wildcard.eml" "$PHISH/foreign-sender.eml" >/dev/null 2>&1
q "update messages set received = strftime('%s','now') where type = 'suspicious'"
mkdir -p "$TEST_TMP/textfile"
P="$TEST_TMP/textfile/dcvmail.prom"
"$DCVMAIL" -d "$S" report --prometheus "$P"; rc=$?
check_eq "report --prometheus writes the file" "$rc:$(test -s "$P" && echo yes)" "0:yes"
check_eq "and leaves no temporary file beside it" "$(ls "$TEST_TMP/textfile")" "dcvmail.prom"
check_eq "readable by the collector's user (0644)" "$(stat -c %a "$P")" 644
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$P" 2>&1); rc=$?
	check_eq "promtool check metrics accepts it${out:+: $out}" "$rc" 0
else
	skip "promtool is not installed (Debian package prometheus)"
fi
vals=$(python3 - "$P" <<'PY'
import re, sys
# the text exposition format, strictly: HELP and TYPE before the samples of a
# family, one TYPE per family, sample lines name{labels} value
families, typed, out = {}, set(), {}
name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
for n, l in enumerate(open(sys.argv[1]).read().split("\n"), 1):
    if l == "":
        continue
    m = re.fullmatch(r"# (HELP|TYPE) (" + name_re + r") (.+)", l)
    if m:
        if m.group(1) == "TYPE":
            assert m.group(2) not in typed, "line %d: second TYPE" % n
            assert m.group(3) in ("gauge", "counter", "untyped"), "line %d: type" % n
            typed.add(m.group(2))
        continue
    m = re.fullmatch(r"(" + name_re + r")(\{[a-z_]+=\"[^\"\\]*\"(,[a-z_]+=\"[^\"\\]*\")*\})? (-?[0-9]+(\.[0-9]+)?)", l)
    assert m, "line %d: not a sample: %r" % (n, l)
    assert m.group(1) in typed, "line %d: sample before its TYPE" % n
    out[m.group(1) + (m.group(2) or "")] = m.group(4)
print(out["dcvmail_requests_pending"], out["dcvmail_suspicious_messages_24h"],
      out['dcvmail_requests{state="pending"}'], out["dcvmail_outbox_failed"])
PY
)
check_eq "the strict parser reads pending, suspicious, per state, failed" "$vals" "1 1 1 0"
"$DCVMAIL" -d "$S" report --prometheus "$TEST_TMP/no-such-dir/dcvmail.prom" 2>"$TEST_TMP/perr"; rc=$?
check_eq "an unwritable path fails (73)" "$rc" 73
check_contains "naming the file" "$(cat "$TEST_TMP/perr")" "no-such-dir/dcvmail.prom"
out=$("$DCVMAIL" -d "$S" report --prometheus - | grep -c '^dcvmail_')
check_eq "--prometheus - writes to standard output" "$out" 15
"$DCVMAIL" -d "$S" report --json --check >/dev/null 2>&1
check_eq "--json with --check is a usage error" "$?" 3

# check --fail-on-suspicious: an exit status a cron job can alert on
"$DCVMAIL" -d "$S" check --dry-run -q "$PHISH/foreign-sender.eml" >/dev/null 2>&1
check_eq "check without the option exits 0 on suspicious mail" "$?" 0
"$DCVMAIL" -d "$S" check --dry-run -q --fail-on-suspicious "$PHISH/foreign-sender.eml" >/dev/null 2>&1
check_eq "check --fail-on-suspicious exits 1 on suspicious mail" "$?" 1
"$DCVMAIL" -d "$S" check --dry-run -q --fail-on-suspicious "$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "and 0 on genuine CA mail" "$?" 0

# approve --dry-run exits as the real run would
rid=$(q "select id from requests where key not like 'suspicious:%' and state = 'pending' limit 1")
"$DCVMAIL" -d "$S" approve --dry-run "$rid" >/dev/null 2>&1; drc=$?
before=$(q "select state from requests where id = $rid")
"$DCVMAIL" -d "$S" approve "$rid" >/dev/null 2>&1; rrc=$?
check_eq "approve --dry-run and approve exit alike on a refused request (65)" "$drc/$rrc/$before" "65/65/pending"

# the lines dcvmail-list(8) tells an admin to use, run as written there
# (only the state directory and the collector's directory are this test's)
doc=$(sed -n '/monitor.sh runs these lines/,/^\.Ed/p' "$TOP/man/dcvmail-list.8")
nagios=$(printf '%s\n' "$doc" | sed -n 's/^command_line //p')
cron=$(printf '%s\n' "$doc" | sed -n 's/^\*\/5 \* \* \* \* dcvmail //p')
check_eq "the man page gives the plugin's command line" "$nagios" "/usr/sbin/dcvmail report --check"
line=$(eval "$(printf '%s' "$nagios" | sed "s|^/usr/sbin/dcvmail|\"\$DCVMAIL\" -d \"\$S\"|")"); prc=$?
check_eq "the documented plugin line runs (a suspicious mail today: WARNING)" "$prc:${line%% - *}" "1:DCVMAIL WARNING"
mkdir -p "$TEST_TMP/var/lib/prometheus/node-exporter"
eval "$(printf '%s' "$cron" | sed "s|^dcvmail|\"\$DCVMAIL\" -d \"\$S\"|; s|/var/lib|$TEST_TMP/var/lib|")"
check_eq "the documented cron line writes the collector's file" \
	"$(grep -c '^dcvmail_requests_pending ' "$TEST_TMP/var/lib/prometheus/node-exporter/dcvmail.prom")" 1
t_done
