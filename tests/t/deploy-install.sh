# Step 1 of contrib/postfix/README as written, after `make install` (issue 17
# item 1): systemd-sysusers and systemd-tmpfiles make the user and its state
# directory, chgrp gives it the config; then root's first command on that
# directory runs as its owner, and the pipe as that user records the mail.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-deploy.sh"
if [ "$(id -u)" != 0 ] || ! command -v systemd-sysusers >/dev/null || ! command -v systemd-tmpfiles >/dev/null ||
	! command -v setpriv >/dev/null; then
	skip "needs root, systemd-sysusers, systemd-tmpfiles and setpriv"; exit 0
fi
# a root the created user can walk through (TEST_TMP is root's 0700)
R=$(mktemp -d /tmp/dcvmail-inst.XXXXXX); chmod 755 "$R"
trap 'rm -rf "$R"' EXIT
out=$(make -s -C "$TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$R" 2>&1); rc=$?
check_eq "make install DESTDIR=... succeeds" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
# the image's user database starts as the host's, so the user gets an id the
# host does not use either (and root's switch on the host finds no name for it)
mkdir -p "$R/etc"; cp /etc/passwd /etc/group "$R/etc/"; touch "$R/etc/shadow" "$R/etc/gshadow"

# the block, each command on the image in $R (--root, and its chgrp by number:
# the host has no group dcvmail)
b=$(doc_block "$DP_README" "as root, after make install")
check_eq "step 1 has the three commands" "$(printf '%s\n' "$b" | awk '{print $1}' | tr '\n' ' ')" "systemd-sysusers systemd-tmpfiles chgrp "
printf '%s\n' "$b" | sed -n 1p | sed "s|^systemd-sysusers |systemd-sysusers --root=$R |" | sh -e
check_eq "systemd-sysusers makes the system user dcvmail" "$(grep -c '^dcvmail:' "$R/etc/passwd"):$(grep -c '^dcvmail:' "$R/etc/group")" 1:1
grep -q '^dcvmail:' /etc/passwd && { skip "the host has a user dcvmail already"; t_done; }
U=$(awk -F: '$1 == "dcvmail" { print $3 }' "$R/etc/passwd"); G=$(awk -F: '$1 == "dcvmail" { print $3 }' "$R/etc/group")
check "with no login shell" grep -q '^dcvmail:.*:/usr/sbin/nologin$\|^dcvmail:.*:/bin/false$' "$R/etc/passwd"
printf '%s\n' "$b" | sed -n 2p | sed "s|^systemd-tmpfiles |systemd-tmpfiles --root=$R |" | sh -e
check_eq "systemd-tmpfiles makes /var/lib/dcvmail, 0700, the user's" "$(stat -c '%a %u %g' "$R/var/lib/dcvmail")" "700 $U $G"
printf '%s\n' "$b" | sed -n 3p | sed "s|^chgrp dcvmail /|chgrp $G $R/|" | sh -e
check_eq "chgrp makes the config root:dcvmail 0640" "$(stat -c '%a %u %g' "$R/etc/dcvmail/dcvmail.conf")" "640 0 $G"

# the installed program, its installed config and rules: root's import and
# then the pipe as the user (the host knows no such user: root switches by number)
D="$R/usr/local/sbin/dcvmail"; C="$R/etc/dcvmail/dcvmail.conf"; S="$R/var/lib/dcvmail"
FIX="$TOP/tests/corpus/ca"
unset DCVMAIL_RULES_DIR
out=$("$D" -c "$C" -d "$S" check "$FIX/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "root's import with the installed config succeeds" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
check_eq "and leaves nothing of root's in the state directory" "$(find "$S" ! -user "$U" | wc -l)" 0
out=$(setpriv --reuid="$U" --regid="$G" --clear-groups "$D" -c "$C" -d "$S" pipe -f noreply_support@comodo.com \
	-r admin@example.com <"$FIX/sectigo-dcv-html-comodo.eml" 2>&1); rc=$?
check_eq "the pipe, as the user dcvmail, reads the config through its group and records" "$rc" 0
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
check_eq "both messages are in the ledger" "$(sqlite3 -readonly "$S/ledger.db" 'select count(*) from messages')" 2
t_done
