# make install honours PREFIX and DESTDIR and installs everything a site needs.
. "$TOP/tests/lib.sh"
R="$TEST_TMP/root"
out=$(make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc 2>&1); rc=$?
check_eq "make install DESTDIR=... PREFIX=/usr succeeds" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
check "the program is in PREFIX/bin" [ -x "$R/usr/bin/dcvmail" ]
check "and the Postfix client dcvmail-pipe" [ -x "$R/usr/bin/dcvmail-pipe" ]
check_contains "and runs" "$("$R/usr/bin/dcvmail" --version)" "dcvmail "
check "dcvmail(8) and dcvmail-watch(8) are installed" [ -f "$R/usr/share/man/man8/dcvmail.8" -a -f "$R/usr/share/man/man8/dcvmail-watch.8" ]
check "dcvmail.conf(5) and dcvmail.rules(5) are installed" [ -f "$R/usr/share/man/man5/dcvmail.conf.5" -a -f "$R/usr/share/man/man5/dcvmail.rules.5" ]
check_eq "every shipped rule file is installed" "$(ls "$R/etc/dcvmail/rules" | wc -l)" "$(ls "$TOP"/rules/*.rules | wc -l)"
check "the example config is installed, not readable by others" sh -c "[ \"\$(stat -c %a '$R/etc/dcvmail/dcvmail.conf')\" = 640 ]"
U="$R/usr/lib/systemd/system/dcvmail-watch.service"
check "the systemd unit is installed" [ -f "$U" ]
check_contains "and starts the installed program with the installed config" "$(grep ^ExecStart= "$U")" \
	"ExecStart=/usr/bin/dcvmail -c /etc/dcvmail/dcvmail.conf watch"
check_contains "SIGHUP is its reload" "$(cat "$U")" 'ExecReload=/bin/kill -HUP $MAINPID'
check "nothing was installed outside DESTDIR" [ ! -e /usr/lib/systemd/system/dcvmail-watch.service ]
t_done
