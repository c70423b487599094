# Who decided (issue 16.6): approve --record-only, reject and expect add record
# the login name: SUDO_USER when it names a user, else the session's login
# name, else the passwd name of the uid; never a bare "uid 0".
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
printf 'syslog no\nrole constructed admin@\n' >"$TEST_TMP/c.conf"
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@" </dev/null; }
# the name a session without sudo gets: its login name where it has one
# (logname), else the uid's passwd name
me=$(logname 2>/dev/null </dev/null || id -un)
for f in digicert-dcv-plain sectigo-dcv-plain globalsign-dcv; do
	"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -r admin@example.com <"$FIX/$f.eml" >/dev/null 2>&1
done
check_eq "three requests recorded" "$(sqlite3 "$S/ledger.db" 'select count(*) from requests')" 3

out=$(SUDO_USER=daemon dcv reject 1 --note "not ours")
check_contains "reject under sudo names the person behind sudo" "$out" "recorded as rejected by daemon"
check_eq "the ledger records the sudo user" "$(sqlite3 "$S/ledger.db" 'select state_by from requests where id = 1')" daemon
check_eq "and so does the history" "$(sqlite3 "$S/ledger.db" "select who from history where request_id = 1 and state = 'rejected'")" daemon

out=$(env -u SUDO_USER "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" approve 2 --record-only </dev/null)
check_contains "approve --record-only without sudo names the login ($me)" "$out" "recorded as approved by $me"
by=$(sqlite3 "$S/ledger.db" 'select state_by from requests where id = 2')
check_eq "the ledger records the login name" "$by" "$me"
check_not_contains "never a bare uid" "$by" "uid "

# SUDO_USER that names no user is not believed
out=$(SUDO_USER=no-such-user-here dcv reject 3)
check_contains "a SUDO_USER that is no user is not recorded" "$out" "recorded as rejected by $me"

SUDO_USER=daemon dcv expect add --ca digicert --domain www.example.org >/dev/null
env -u SUDO_USER "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca sectigo --domain www.example.org </dev/null >/dev/null
out=$(dcv expect list --json)
check_contains "expect add under sudo records the sudo user" "$(echo "$out" | sed -n 1p)" '"created_by":"daemon"'
check_contains "expect add without sudo records the login name" "$(echo "$out" | sed -n 2p)" "\"created_by\":\"$me\""
# an expectation from before the column existed has no creator: null, no error
sqlite3 "$S/ledger.db" "update expectations set created_by = NULL where id = 1"
check_contains "an old expectation shows created_by null" "$(dcv expect list --json | sed -n 1p)" '"created_by":null'
t_done
