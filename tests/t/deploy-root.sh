# Root never breaks the service user's state (issue 17 item 2): run as root on
# a state directory another user owns, dcvmail becomes that user before it
# opens anything, so a root import followed by the pipe deliveries of the
# service user all land in one ledger, and no file there is root's.
. "$TOP/tests/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "needs root and setpriv"; exit 0
fi
U=nobody G=$(id -gn nobody)
# a directory the service user can read (TEST_TMP is root's 0700)
W=$(mktemp -d /tmp/dcvmail-root.XXXXXX); chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
mkdir "$W/bin" "$W/rules"
cp "$DCVMAIL" "$W/bin/dcvmail"; cp "$DCVMAIL_RULES_DIR"/*.rules "$W/rules/"; chmod -R a+rX "$W/bin" "$W/rules"
D="$W/bin/dcvmail"
S="$W/state"
# as systemd-tmpfiles --create makes it: empty, the service user's, 0700
mkdir -m 700 "$S"; chown "$U:$G" "$S"
printf 'syslog no\nrules-dir %s/rules\nstate-dir %s\nrole constructed admin@\nrole txt dcv-contact@example.net\n' \
	"$W" "$S" >"$W/dcvmail.conf"
chmod 644 "$W/dcvmail.conf"
export DCVMAIL_CONFIG="$W/dcvmail.conf"
unset DCVMAIL_RULES_DIR
FIX="$TOP/tests/corpus/ca"
q() { sqlite3 "$S/ledger.db" "$1"; }
mbox() { for f in "$@"; do echo "From MAILER-DAEMON Thu Jan  1 00:00:00 2026"; sed 's/^From />From /' "$f"; echo; done; }
mbox "$FIX/sectigo-dcv-plain.eml" "$FIX/digicert-dcv-copy-webmaster.eml" >"$W/old.mbox"; chmod 644 "$W/old.mbox"
as_user() { setpriv --reuid="$U" --regid="$G" --init-groups "$@"; }

# the README's import, run as root
out=$("$D" -d "$S" check "$W/old.mbox" 2>&1); rc=$?
check_eq "a root import into the service user's state directory succeeds" "$rc" 0
check_contains "and records both messages" "$out" "recorded 2 new"
check_eq "the ledger is the service user's" "$(stat -c %U "$S/ledger.db")" "$U"
check_eq "nothing in the state directory is root's" "$(find "$S" -user root | wc -l)" 0
check_eq "nothing there belongs to anyone but the service user" "$(find "$S" ! -user "$U" | wc -l)" 0
check_eq "nor to another group" "$(find "$S" ! -group "$G" | wc -l)" 0

# then the service user's pipe deliveries, each hashing into its own archive
# subdirectory, some surely beside the import's
n=0 bad=0
for i in $(seq 1 20); do
	{ printf 'Message-ID: <deploy-root-%d@trust-provider.com>\n' "$i"; grep -v '^Message-ID:' "$FIX/sectigo-dcv-plain.eml"; } >"$W/m$i.eml"
	as_user "$D" pipe -f noreply_support@trust-provider.com -r "admin@example.net" <"$W/m$i.eml" >/dev/null 2>&1 ||
		bad=$((bad + 1))
	n=$((n + 1))
done
check_eq "20 pipe deliveries as the service user all succeed" "$bad" 0
check_eq "and all are recorded beside the import" "$(q "select count(*) from messages")" 22

# a root import on a file only root can read: through stdin
mbox "$FIX/sectigo-dcv-html-comodo.eml" >"$W/secret.mbox"; chmod 600 "$W/secret.mbox"
out=$("$D" -d "$S" check "$W/secret.mbox" 2>&1); rc=$?
check "a file the service user cannot read is an error for root too (exit $rc)" [ "$rc" -ne 0 ]
check_contains "Permission denied (it is read as that user)" "$out" "secret.mbox: Permission denied"
out=$("$D" -d "$S" check - <"$W/secret.mbox" 2>&1); rc=$?
check_eq "the same file on standard input (opened by root's shell) is imported" "$rc:$(q "select count(*) from messages")" 0:23
check_eq "root's other commands leave no root file either" "$("$D" list >/dev/null 2>&1; "$D" outbox >/dev/null 2>&1; find "$S" -user root | wc -l)" 0

# the switch announced on request
out=$("$D" -v list 2>&1 >/dev/null)
check_contains "with -v root is told whom it runs as" "$out" "running as user $U, the owner of $S"

# a config the service user cannot read (the issue's 0640 root:root) fails
# for root as it would for the pipe, naming it
chmod 600 "$W/dcvmail.conf"
out=$("$D" check "$W/old.mbox" 2>&1); rc=$?
check_eq "a config only root can read: root's import fails too (78)" "$rc" 78
check_contains "naming the file" "$out" "$W/dcvmail.conf: Permission denied"
check_contains "and why it matters" "$out" "run as the owner of $S"
chmod 644 "$W/dcvmail.conf"

# root unable to switch (no CAP_SETUID, e.g. a confined unit): refuses with
# the exact command to use, and touches nothing
before=$(q "select count(*) from messages")
out=$(setpriv --bounding-set=-setuid,-setgid "$D" -d "$S" check "$W/old.mbox" 2>&1); rc=$?
check_eq "root that cannot switch refuses (77)" "$rc" 77
check_contains "with the runuser command to use instead" "$out" "runuser -u $U -- $D -d $S check $W/old.mbox"
check_eq "recording nothing" "$(q "select count(*) from messages")" "$before"
check_eq "and creating no root file" "$(find "$S" -user root | wc -l)" 0
out=$(setpriv --bounding-set=-setuid,-setgid "$D" -d "$S" check --json "it's here.mbox" 2>&1)
check_contains "arguments quoted for the shell" "$out" "check --json 'it'\\''s here.mbox'"

# a state directory root owns: root keeps running as root
R="$W/rootstate"; mkdir -m 700 "$R"
"$D" -d "$R" check "$W/old.mbox" >/dev/null 2>&1
check_eq "in root's own state directory root stays root" "$(stat -c %U "$R/ledger.db")" root
t_done
