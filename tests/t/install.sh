# make install honours PREFIX and DESTDIR and installs everything a site needs,
# in the documented layout (README: Install).
. "$TOP/tests/lib.sh"
R="$TEST_TMP/root"
out=$(make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc 2>&1); rc=$?
check_eq "make install DESTDIR=... PREFIX=/usr succeeds" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
check "the program is in PREFIX/sbin" [ -x "$R/usr/sbin/dcvmail" ]
check "and the Postfix client in PREFIX/libexec/dcvmail" [ -x "$R/usr/libexec/dcvmail/dcvmail-pipe" ]
check "nothing in PREFIX/bin" [ ! -e "$R/usr/bin" ]
check_contains "and runs" "$("$R/usr/sbin/dcvmail" --version)" "dcvmail "
check "the client was built to start PREFIX/sbin/dcvmail" grep -q -a /usr/sbin/dcvmail "$R/usr/libexec/dcvmail/dcvmail-pipe"
check "dcvmail(8) and dcvmail-watch(8) are installed" [ -f "$R/usr/share/man/man8/dcvmail.8" -a -f "$R/usr/share/man/man8/dcvmail-watch.8" ]
check "dcvmail.conf(5) and dcvmail.rules(5) are installed" [ -f "$R/usr/share/man/man5/dcvmail.conf.5" -a -f "$R/usr/share/man/man5/dcvmail.rules.5" ]
check_eq "every shipped rule file is in PREFIX/share/dcvmail/rules" "$(ls "$R/usr/share/dcvmail/rules" | wc -l)" "$(ls "$TOP"/rules/*.rules | wc -l)"
check_eq "the local rules directory holds only its README" "$(ls "$R/etc/dcvmail/rules")" "README"
check "the example config is installed, not readable by others" sh -c "[ \"\$(stat -c %a '$R/etc/dcvmail/dcvmail.conf')\" = 640 ]"
check "docs and examples are in PREFIX/share/doc/dcvmail" \
	[ -f "$R/usr/share/doc/dcvmail/postfix/README" -a -f "$R/usr/share/doc/dcvmail/dcvmail.conf.example" -a \
	  -f "$R/usr/share/doc/dcvmail/systemd/README" -a -f "$R/usr/share/doc/dcvmail/samples/digicert-dcv-plain.eml" ]
check_contains "sysusers.d makes the user dcvmail" "$(cat "$R/usr/lib/sysusers.d/dcvmail.conf")" "u dcvmail "
check_contains "tmpfiles.d makes its state directory 0700" "$(cat "$R/usr/lib/tmpfiles.d/dcvmail.conf")" \
	"d /var/lib/dcvmail 0700 dcvmail dcvmail"
# the installed program finds the shipped rules and the installed config works
mkdir -m 700 "$TEST_TMP/state"
n=$(env -u DCVMAIL_RULES_DIR "$R/usr/sbin/dcvmail" -c "$R/etc/dcvmail/dcvmail.conf" -d "$TEST_TMP/state" -n 2>&1); rc=$?
check_eq "the installed config passes dcvmail -n" "$rc" 0
check_contains "with the installed rules" "$n" "$R/usr/sbin/../share/dcvmail/rules:"
for u in dcvmail-watch.service dcvmail-outbox.service dcvmail-outbox.timer; do
	check "the systemd unit $u is installed" [ -f "$R/usr/lib/systemd/system/$u" ]
done
U="$R/usr/lib/systemd/system/dcvmail-watch.service"
check_contains "and starts the installed program with the installed config" "$(grep ^ExecStart= "$U")" \
	"ExecStart=/usr/sbin/dcvmail -c /etc/dcvmail/dcvmail.conf watch"
check_contains "SIGHUP is its reload" "$(cat "$U")" 'ExecReload=/bin/kill -HUP $MAINPID'
check_contains "the outbox unit runs dcvmail outbox" "$(grep ^ExecStart= "$R/usr/lib/systemd/system/dcvmail-outbox.service")" \
	"ExecStart=/usr/sbin/dcvmail -c /etc/dcvmail/dcvmail.conf outbox"
check "nothing was installed outside DESTDIR" [ ! -e /usr/lib/systemd/system/dcvmail-watch.service -a ! -e /usr/sbin/dcvmail ]
# a second install keeps the admin's config
echo "# edited" >>"$R/etc/dcvmail/dcvmail.conf"
make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
check_contains "a second make install keeps the edited config" "$(tail -1 "$R/etc/dcvmail/dcvmail.conf")" "# edited"
# a rule file left in the local directory by an older install is pointed out
cp "$TOP/rules/digicert.rules" "$R/etc/dcvmail/rules/"
out=$(make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc 2>&1)
check_contains "make install says which local rule file replaces a shipped one" "$out" \
	"/etc/dcvmail/rules/digicert.rules replaces the shipped /usr/share/dcvmail/rules/digicert.rules"
# put the build back to its own paths for the tests that follow
make -s -C "$TOP" SANITIZE="${SANITIZE:-}" >/dev/null 2>&1
t_done
