# make deb builds a lintian-clean Debian package with the documented layout:
# programs, shipped and local rules, a config that works as installed, the
# user and state directory (sysusers.d, tmpfiles.d), units, conffiles.
. "$TOP/tests/lib.sh"
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null || ! command -v lintian >/dev/null; then
	sh "$TOP/contrib/install-deps" >/dev/null 2>&1
fi
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip "dpkg-buildpackage or debhelper missing and not installable (contrib/install-deps)"
	t_done
fi
D="$TEST_TMP/deb"
out=$(env -u SANITIZE -u BUILD make -s -C "$TOP" deb DEBDIR="$D" 2>&1); rc=$?
check_eq "make deb succeeds" "$rc" 0
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -30 | sed 's/^/# /'; t_done; }
DEB=$(ls "$D"/dcvmail_*_*.deb 2>/dev/null | head -1)
check "it built dcvmail_VERSION_ARCH.deb" [ -f "$DEB" ]
check "and nothing was written beside the tree" [ ! -e "$TOP/../dcvmail_0.1.0_amd64.deb" ]

files=$(dpkg -c "$DEB" | awk '{print $1, $2, $6}')
has() { check_contains "the package holds $1" "$files" "$1"; }
has "-rwxr-xr-x root/root ./usr/sbin/dcvmail"
has "-rwxr-xr-x root/root ./usr/libexec/dcvmail/dcvmail-pipe"
has "-rw-r----- root/root ./etc/dcvmail/dcvmail.conf"
has "./etc/dcvmail/rules/README"
has "./usr/lib/sysusers.d/dcvmail.conf"
has "./usr/lib/tmpfiles.d/dcvmail.conf"
has "./lib/systemd/system/dcvmail-watch.service"
has "./lib/systemd/system/dcvmail-outbox.service"
has "./lib/systemd/system/dcvmail-outbox.timer"
has "./usr/share/man/man8/dcvmail.8.gz"
has "./usr/share/man/man5/dcvmail.conf.5.gz"
has "./usr/share/doc/dcvmail/postfix/README"
has "./usr/share/doc/dcvmail/dcvmail.conf.example"
has "./usr/share/doc/dcvmail/copyright"
check_eq "every shipped rule file is in /usr/share/dcvmail/rules" \
	"$(printf '%s\n' "$files" | grep -c '\./usr/share/dcvmail/rules/.*\.rules$')" "$(ls "$TOP"/rules/*.rules | wc -l)"
check_eq "and none in /etc/dcvmail/rules (local rules only)" "$(printf '%s\n' "$files" | grep -c '\./etc/dcvmail/rules/.*\.rules$')" 0
check_not_contains "nothing under /usr/local or /usr/bin" "$files" "./usr/local"
check_not_contains "no program in /usr/bin" "$files" "./usr/bin/"

C="$TEST_TMP/control"
dpkg-deb -e "$DEB" "$C"
check_eq "conffiles: the config and the local rules README" "$(sort "$C/conffiles" | tr '\n' ' ')" \
	"/etc/dcvmail/dcvmail.conf /etc/dcvmail/rules/README "
P=$(cat "$C/postinst")
check_contains "postinst creates the user (sysusers.d)" "$P" "systemd-sysusers"
check_contains "and the state directory (tmpfiles.d)" "$P" "systemd-tmpfiles"
check_contains "and gives the config to group dcvmail" "$P" "chown root:dcvmail"
# the user must exist before tmpfiles chowns to it and before the chown
check "in that order" sh -c "awk '/systemd-sysusers/{u=NR} /systemd-tmpfiles .*--create/{t=NR} /chown root:dcvmail/{c=NR} END{exit !(u && t && c && u < t && t < c)}' '$C/postinst'"
check_contains "the outbox timer is enabled" "$P" "deb-systemd-helper enable 'dcvmail-outbox.timer'"
# --no-enable: the watcher is enabled only where the admin enabled it before
check_contains "the watcher is not enabled on a new install (it needs mailboxes first)" "$P" \
	"if deb-systemd-helper debian-installed 'dcvmail-watch.service'; then"
check_contains "removing the package stops the watcher" "$(cat "$C/prerm")" "deb-systemd-invoke stop 'dcvmail-watch.service'"
check_contains "and the timer" "$(cat "$C/prerm")" "deb-systemd-invoke stop 'dcvmail-outbox.timer'"
ctl=$(dpkg-deb -f "$DEB" Depends)
check_contains "it depends on something that provides systemd-sysusers" "$ctl" "systemd-sysusers"

# unpack and run what the package ships: sysusers and tmpfiles into a root
R="$TEST_TMP/root"
dpkg-deb -x "$DEB" "$R"
if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
	mkdir -p "$R/etc"
	systemd-sysusers --root="$R" >/dev/null 2>&1
	check_contains "sysusers.d creates the system user dcvmail" "$(cat "$R/etc/passwd" 2>/dev/null)" "dcvmail:x:"
	uid=$(awk -F: '$1 == "dcvmail" { print $3 }' "$R/etc/passwd" 2>/dev/null)
	check "with a system uid" [ "${uid:-1000}" -lt 1000 ]
	systemd-tmpfiles --root="$R" --create dcvmail.conf >/dev/null 2>&1
	check_eq "tmpfiles.d creates /var/lib/dcvmail 0700 owned by it" \
		"$(stat -c '%a %u' "$R/var/lib/dcvmail" 2>/dev/null)" "700 $uid"
else
	skip "systemd-sysusers/systemd-tmpfiles missing: user and state directory not tried"
fi
V=$("$R/usr/sbin/dcvmail" --version 2>&1)
check_contains "the packaged program runs" "$V" "dcvmail "
check "dcvmail-pipe starts the packaged /usr/sbin/dcvmail" grep -q -a /usr/sbin/dcvmail "$R/usr/libexec/dcvmail/dcvmail-pipe"
# the config as installed: valid, and the shipped rules are found beside the
# program (unset DCVMAIL_RULES_DIR: the default must work)
mkdir -m 700 "$TEST_TMP/state"
n=$(env -u DCVMAIL_RULES_DIR "$R/usr/sbin/dcvmail" -c "$R/etc/dcvmail/dcvmail.conf" -d "$TEST_TMP/state" -n 2>&1); rc=$?
check_eq "the installed config passes dcvmail -n" "$rc" 0
check_contains "with the shipped rules" "$n" "$R/usr/sbin/../share/dcvmail/rules"
check_not_contains "it names no live example.com address" "$(grep -v '^#' "$R/etc/dcvmail/dcvmail.conf")" "example.com"
o=$(env -u DCVMAIL_RULES_DIR "$R/usr/sbin/dcvmail" -c "$R/etc/dcvmail/dcvmail.conf" -d "$TEST_TMP/state" \
	check --dry-run "$R/usr/share/doc/dcvmail/samples/digicert-dcv-plain.eml" 2>&1)
check_contains "and classifies a shipped sample with the shipped rules" "$o" "	dcv	digicert/digicert-dcv	"

# Install it for real into a throwaway copy of this system: an overlay of /
# in a private mount namespace, chroot into it. The host is not changed.
O="$TEST_TMP/ovl"
SAMPLE_EML="$TOP/tests/corpus/ca/digicert-dcv-plain.eml"
cat >"$TEST_TMP/install-in-overlay.sh" <<EOS
set -e
mkdir -p "$O"
mount -t tmpfs tmpfs "$O"
mkdir "$O/u" "$O/w" "$O/m"
mount -t overlay overlay -o lowerdir=/,upperdir="$O/u",workdir="$O/w" "$O/m"
mount --bind /proc "$O/m/proc"
mount --bind /dev "$O/m/dev"
mount -t tmpfs tmpfs "$O/m/tmp"
cp "$DEB" "$SAMPLE_EML" "$O/m/tmp/"
ch() { env -u DCVMAIL_RULES_DIR -u DCVMAIL_CONFIG -u DCVMAIL_STATE_DIR chroot "$O/m" "\$@"; }
echo "== dpkg -i"; ch dpkg -i /tmp/\$(basename "$DEB") >/dev/null 2>&1 && echo installed
echo "== passwd"; ch getent passwd dcvmail
echo "== stat"; ch stat -c '%a %U:%G %n' /var/lib/dcvmail /etc/dcvmail/dcvmail.conf
echo "== units"; ch ls /etc/systemd/system/timers.target.wants /etc/systemd/system/multi-user.target.wants 2>/dev/null || true
echo "== n"; ch runuser -u dcvmail -- dcvmail -n 2>&1 || echo "rc=\$?"
echo "== pipe"; ch runuser -u dcvmail -- /usr/libexec/dcvmail/dcvmail-pipe -f no-reply@digitalcertvalidation.com \
	-r admin@shop.example.com -o admin@shop.example.com <"$O/m/tmp/"\$(basename "$SAMPLE_EML") >/dev/null 2>&1; echo "rc=\$?"
echo "== list"; ch runuser -u dcvmail -- dcvmail list 2>&1 | tail -n +2
echo "# edited" >>"$O/m/etc/dcvmail/dcvmail.conf"
echo "== reinstall"; ch dpkg -i /tmp/\$(basename "$DEB") >/dev/null 2>&1 && echo installed
echo "== stat2"; ch stat -c '%a %U:%G' /etc/dcvmail/dcvmail.conf; tail -1 "$O/m/etc/dcvmail/dcvmail.conf"
echo "== end"
EOS
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	host_before="$(getent passwd dcvmail; ls -d /etc/dcvmail /usr/sbin/dcvmail 2>/dev/null)"
	I=$(unshare -m sh "$TEST_TMP/install-in-overlay.sh" 2>&1)
	sect() { printf '%s\n' "$I" | sed -n "/^== $1\$/,/^== /p" | sed '1d;$d'; }
	if [ "$(sect 'dpkg -i')" != installed ] && printf '%s\n' "$I" | grep -q "mount.*overlay\|overlay.*denied"; then
		skip "no overlay mount here: the package was not installed"
	else
		check_eq "dpkg -i installs it (in an overlay of this system)" "$(sect 'dpkg -i')" installed
		check_contains "the install creates the system user dcvmail" "$(sect passwd)" "dcvmail:x:"
		check_contains "and /var/lib/dcvmail 0700 dcvmail:dcvmail" "$(sect stat)" "700 dcvmail:dcvmail /var/lib/dcvmail"
		check_contains "the config is root:dcvmail 0640" "$(sect stat)" "640 root:dcvmail /etc/dcvmail/dcvmail.conf"
		check_contains "the outbox timer is enabled" "$(sect units)" "dcvmail-outbox.timer"
		check_not_contains "the watcher is not" "$(sect units)" "dcvmail-watch.service"
		check_contains "dcvmail -n as user dcvmail passes on the installed config and rules" "$(sect n)" \
			"/usr/sbin/../share/dcvmail/rules:/etc/dcvmail/rules: "
		check_not_contains "(exit 0)" "$(sect n)" "rc="
		check_eq "a delivery through the installed dcvmail-pipe as user dcvmail exits 0" "$(sect pipe)" "rc=0"
		check_contains "and is recorded in /var/lib/dcvmail" "$(sect list)" "shop.example.com"
		check_eq "a reinstall succeeds" "$(sect reinstall)" installed
		check_eq "and keeps the edited config, root:dcvmail 0640" "$(sect stat2 | tr '\n' ' ')" "640 root:dcvmail # edited "
	fi
	[ -n "$(sect end)" ] || [ -z "$I" ] || printf '%s\n' "$I" | tail -5 | sed 's/^/# /'
	check_eq "the host is unchanged (user, /etc/dcvmail, /usr/sbin/dcvmail)" \
		"$(getent passwd dcvmail; ls -d /etc/dcvmail /usr/sbin/dcvmail 2>/dev/null)" "$host_before"
else
	skip "unshare -m not permitted: the package was not installed"
fi

if command -v lintian >/dev/null; then
	L=$(lintian --pedantic "$DEB" 2>&1 | grep -E '^[EWIPX]: ')
	check_eq "lintian --pedantic reports nothing (overrides explained in debian/)" "$L" ""
else
	skip "lintian missing"
fi
t_done
