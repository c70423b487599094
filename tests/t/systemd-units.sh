# The systemd units as installed: systemd-analyze verify finds nothing to say,
# the hardening the units promise is there (MemoryDenyWriteExecute off for the
# PCRE2 JIT), their exposure score stays low, and the outbox unit's command
# works.
. "$TOP/tests/lib.sh"
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze missing (package systemd)"
	t_done
fi
R="$TEST_TMP/root"
make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
U="$TEST_TMP/units"; mkdir -p "$U"
# the units name the installed paths; point them into DESTDIR so verify can
# check that the program exists
for f in dcvmail-watch.service dcvmail-outbox.service dcvmail-outbox.timer; do
	check "$f is installed" [ -f "$R/usr/lib/systemd/system/$f" ]
	sed -e "s|/usr/sbin/dcvmail|$R/usr/sbin/dcvmail|g" -e "s|/etc/dcvmail/|$R/etc/dcvmail/|g" \
		"$R/usr/lib/systemd/system/$f" >"$U/$f"
done
out=$(cd "$U" && systemd-analyze verify --man=no dcvmail-watch.service dcvmail-outbox.service dcvmail-outbox.timer 2>&1); rc=$?
check_eq "systemd-analyze verify succeeds" "$rc" 0
check_eq "and reports nothing (no unknown key, no bad value)" "$out" ""
# a unit with a typo is reported, so the check above can fail
sed 's/^ProtectProc=invisible/ProtectProc=invisibl/' "$U/dcvmail-watch.service" >"$TEST_TMP/typo.service"
check_contains "(a bad value would be reported)" "$(systemd-analyze verify --man=no "$TEST_TMP/typo.service" 2>&1)" "typo.service:"

W=$(cat "$U/dcvmail-watch.service")
for d in CapabilityBoundingSet= PrivateUsers=yes ProtectClock=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
	ProtectHostname=yes ProtectProc=invisible ProcSubset=pid RestrictNamespaces=yes RestrictRealtime=yes \
	RestrictSUIDSGID=yes LockPersonality=yes RemoveIPC=yes SystemCallArchitectures=native \
	SystemCallFilter=@system-service NoNewPrivileges=yes ProtectSystem=strict; do
	check_contains "the watcher has $d" "$W" "
$d
"
done
check_contains "MemoryDenyWriteExecute stays off (PCRE2 JIT)" "$W" "
MemoryDenyWriteExecute=no
"
T=$(cat "$U/dcvmail-outbox.timer")
check_contains "the outbox timer repeats" "$T" "
OnUnitActiveSec=5min
"
check_contains "and is enabled into timers.target" "$T" "WantedBy=timers.target"
if systemd-analyze security --help 2>&1 | grep -q -- --offline; then
	for f in dcvmail-watch.service dcvmail-outbox.service; do
		s=$(cd "$U" && systemd-analyze security --offline=yes "$f" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		check "$f: exposure level $s is at most 2.0 (the unhardened watcher had 7.1)" \
			awk -v s="${s:-99}" 'BEGIN { exit !(s + 0 <= 2.0) }'
	done
else
	skip "systemd-analyze security --offline missing"
fi
# what the outbox unit runs works on a fresh state directory
cmd=$(sed -n 's/^ExecStart=//p' "$U/dcvmail-outbox.service")
mkdir -m 700 "$TEST_TMP/state"
out=$(env -u DCVMAIL_RULES_DIR DCVMAIL_STATE_DIR="$TEST_TMP/state" $cmd 2>&1); rc=$?
check_eq "the outbox unit's command runs (exit 0)" "$rc" 0
check_contains "and says what it ran" "$out" "0 actions run; 0 queued"
make -s -C "$TOP" SANITIZE="${SANITIZE:-}" >/dev/null 2>&1
t_done
