# tests/lib-dovecot.sh — a private Dovecot with TLS on 127.0.0.1 (sourced; root).
# dv_start sets DV (dir), DV_IMAPS, DV_IMAP (STARTTLS) ports, DV_CA (CA file);
# users whois@, txt@, approver@example.test, password "secret".
# With DV_OAUTH2=URL (h-oauth) Dovecot also takes XOAUTH2 and OAUTHBEARER,
# checking tokens with the OAuth 2.0 introspection endpoint at URL (POST);
# DV_OAUTH2_MECHS lists fewer mechanisms.
dv_cert() { tls_cert "$@"; }

dv_start() {
	DV=$(mktemp -d /tmp/dcvmail-dv.XXXXXX); chmod 755 "$DV"
	DV_IMAPS=$(free_port); DV_IMAP=$(free_port)
	dv_cert "$DV" "${1:-server}"
	DV_CA="$DV/${1:-server}-ca.pem"
	mkdir -p "$DV/mail" "$DV/run"; chown nobody:nogroup "$DV/mail"
	for u in whois txt approver; do echo "$u@example.test:{PLAIN}secret" >>"$DV/users"; done
	mechs=plain; pwmechs=; oauthdb=
	if [ -n "${DV_OAUTH2:-}" ]; then
		mechs="plain ${DV_OAUTH2_MECHS:-xoauth2 oauthbearer}"; pwmechs="  mechanisms = plain"
		printf 'introspection_mode = post\nintrospection_url = %s\nforce_introspection = yes\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n' \
			"$DV_OAUTH2" >"$DV/oauth2.conf.ext"
		oauthdb="passdb {
  driver = oauth2
  mechanisms = ${DV_OAUTH2_MECHS:-xoauth2 oauthbearer}
  args = $DV/oauth2.conf.ext
}"
	fi
	cat >"$DV/dovecot.conf" <<CONF
base_dir = $DV/run
log_path = $DV/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$DV/${1:-server}.pem
ssl_key = <$DV/${1:-server}.key
disable_plaintext_auth = yes
auth_mechanisms = $mechs
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:$DV/mail/%u/Maildir
# a refused login answers at once and no penalty grows for 127.0.0.1: the
# tests refuse logins on purpose (wrong passwords, revoked tokens), and
# Dovecot's 2 s delay plus the penalty's 2-15 s only made them slow
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/users
$pwmechs
}
$oauthdb
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $DV_IMAP
  }
  inet_listener imaps {
    port = $DV_IMAPS
    ssl = yes
  }
}
CONF
	dovecot -c "$DV/dovecot.conf" || { cat "$DV/dovecot.log" 2>/dev/null | sed 's/^/# /'; return 1; }
	wait_port "$DV_IMAPS" 10
}

dv_stop() {
	[ -n "${DV:-}" ] || return 0
	# the master takes 1-3 s to go (it gives its log process a second): the
	# test does not wait for it; the directory goes once the master is gone.
	# Nothing reuses this Dovecot's directory or ports (dv_start makes new ones).
	(dovecot -c "$DV/dovecot.conf" stop; sleep 0.3; rm -rf "$DV") </dev/null >/dev/null 2>&1 &
	DV=
}

# dv_append USER FILE [FLAGS]: APPEND a message over IMAPS
dv_append() {
	python3 - "$DV_IMAPS" "$DV_CA" "$1" "$2" "${3:-}" <<'PY'
import imaplib, ssl, sys
port, ca, user, path, flags = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
c = imaplib.IMAP4_SSL("localhost", port, ssl_context=ssl.create_default_context(cafile=ca))
c.login(user, "secret")
c.append("INBOX", flags or None, None, open(path, "rb").read())
c.logout()
PY
}

# dv_state USER: "uid flags" lines, UIDNEXT and message count, to compare before/after
dv_state() {
	python3 - "$DV_IMAPS" "$DV_CA" "$1" <<'PY'
import imaplib, ssl, sys
c = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]), ssl_context=ssl.create_default_context(cafile=sys.argv[2]))
c.login(sys.argv[3], "secret")
c.select("INBOX", readonly=True)
typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
for d in data:
    if d: print(d.decode())
print(c.status("INBOX", "(UIDNEXT MESSAGES UIDVALIDITY)")[1][0].decode())
c.logout()
PY
}

# dv_down / dv_up: stop and start the same Dovecot (same ports, mail, CA)
# dv_down waits up to 15 s for the master to be gone: a stop can take
# seconds while its children finish (imap-ipv6 once failed to start again
# after the 2 s it waited before)
dv_down() {
	dovecot -c "$DV/dovecot.conf" stop >/dev/null 2>&1
	for _ in $(seq 75); do [ -e "$DV/run/master.pid" ] || break; sleep 0.2; done
}
dv_up() { dovecot -c "$DV/dovecot.conf" && wait_port "$DV_IMAPS" 10; }

# dv_drop USER FILE [COUNT]: deliver straight into USER's Maildir (as a local
# delivery agent would), COUNT copies made distinct by a Message-ID header
dv_drop() {
	md="$DV/mail/$1/Maildir"; mkdir -p "$md/new" "$md/cur" "$md/tmp"
	python3 - "$md" "$2" "${3:-1}" <<'PY'
import os, sys, time
md, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = open(path, "rb").read()
body = b"\n".join(l for l in body.split(b"\n") if not l.lower().startswith(b"message-id:")) if count > 1 else body
for i in range(count):
    name = "%d.M%dP%d.dcvtest" % (time.time(), i, os.getpid())
    data = (b"Message-ID: <drop-%d-%d@test.invalid>\n" % (os.getpid(), i) + body) if count > 1 else body
    with open(os.path.join(md, "tmp", name), "wb") as f:
        f.write(data)
    os.rename(os.path.join(md, "tmp", name), os.path.join(md, "new", name))
PY
	chown -R nobody:nogroup "$DV/mail/$1"
}
