# What Postfix logs (and would put in a delay notice) when dcvmail pipe
# cannot start: one 4.3.0 line with the cause, never "see the logs" (the
# issue 17 case: dcvmail.conf 0640 root:root, the pipe user cannot read it).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
	skip "Postfix tests need root and postfix"; exit 0
fi
trap pf_stop EXIT
if ! pf_start; then not_ok "private Postfix starts"; exit 1; fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT"
FIX="$TOP/tests/corpus/ca"

chmod 640 "$PF/dcvmail.conf" # root:root, as installed without the group
pf_send noreply_support@trust-provider.com admin@example.test "$FIX/sectigo-dcv-plain.eml"
check "an unreadable config makes Postfix defer" pf_wait_log "status=deferred" 1 30
line=$(grep status=deferred "$PF_LOG" | tail -1)
check_contains "with the file, the cause and the pipe's user, on one line" "$line" \
	"dsn=4.3.0, status=deferred ($PF/dcvmail.conf: Permission denied (as user nobody))"
check_not_contains "never 'see the logs'" "$line" "see the logs"
chmod 644 "$PF/dcvmail.conf"

# a broken config: the first error with its line (the block's opening line)
cp "$PF/dcvmail.conf" "$PF/good.conf"
printf 'mailbox whois {\n  url imaps://imap.example.test/\n' >>"$PF/dcvmail.conf"
postqueue -c "$PF/conf" -f
check "a broken config defers too" pf_wait_log "status=deferred" 2 30
line=$(grep status=deferred "$PF_LOG" | tail -1)
n=$(grep -n '^mailbox whois' "$PF/dcvmail.conf" | cut -d: -f1)
check_contains "naming the line where the unclosed block opened" "$line" \
	"dsn=4.3.0, status=deferred ($PF/dcvmail.conf:$n: unterminated mailbox block: no '}' before the end of the file)"
cp "$PF/good.conf" "$PF/dcvmail.conf"
postqueue -c "$PF/conf" -f
check "fixed and flushed, it is delivered" pf_wait_log "status=sent" 1 30
check_eq "and recorded" "$(sqlite3 "$PF_STATE/ledger.db" "select count(*) from messages")" 1
t_done
