#!/usr/bin/env python3
"""A small SMTP server for the forward/redirect tests: STARTTLS or implicit
TLS, AUTH PLAIN and LOGIN against one user. Every line a client sends is
logged to LOG (AUTH payloads decoded, so a test can see whether a password
was sent), and each message to DIR/N.eml with its envelope in DIR/N.env.
usage: smtp-server.py PORT LOG DIR [--cert C --key K] [--implicit-tls]
       [--no-starttls] [--user U --password P] [--hold-file F]
--hold-file: while F exists, the answer to a message's final "." is held
(the message is already saved), as a slow server would (for kill tests).
--oauth-token T (h-smtpauth): AUTH XOAUTH2 and OAUTHBEARER instead, for --user;
the client's response must be exactly that of the mechanism with token T
(logged with ^A for %x01 and <token> for T, <another token> for any other);
another token gets an error
challenge (logged: the client's answer), then 535, which quotes the token
the client sent with --echo-token (a hostile server)."""
import argparse, base64, os, socketserver, ssl, time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int); ap.add_argument("log"); ap.add_argument("dir")
ap.add_argument("--cert"); ap.add_argument("--key")
ap.add_argument("--implicit-tls", action="store_true"); ap.add_argument("--no-starttls", action="store_true")
ap.add_argument("--user"); ap.add_argument("--password"); ap.add_argument("--hold-file")
ap.add_argument("--oauth-token"); ap.add_argument("--echo-token", action="store_true")
a = ap.parse_args()
ctx = None
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
count = [0]

def log(s):
    with open(a.log, "a") as f:
        f.write(s + "\n")

class H(socketserver.StreamRequestHandler):
    def setup(self):
        if a.implicit_tls:
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def say(self, s):
        self.wfile.write((s + "\r\n").encode()); self.wfile.flush()

    def line(self):
        l = self.rfile.readline()
        if not l:
            raise EOFError
        return l.decode("utf-8", "replace").rstrip("\r\n")

    def handle(self):
        tls = a.implicit_tls; authed = False; mail = None; rcpts = []
        try:
            self.say("220 test ESMTP")
            while True:
                l = self.line(); cmd = l.split(" ")[0].upper()
                if cmd == "AUTH" and a.oauth_token:
                    authed = self.oauth(l.split(" "), tls) or authed
                    continue
                if cmd == "AUTH":
                    parts = l.split(" ")
                    if parts[1].upper() == "PLAIN":
                        data = parts[2] if len(parts) > 2 else (self.say("334 "), self.line())[1]
                        _, u, p = base64.b64decode(data).decode().split("\0")
                    else:
                        self.say("334 VXNlcm5hbWU6"); u = base64.b64decode(self.line()).decode()
                        self.say("334 UGFzc3dvcmQ6"); p = base64.b64decode(self.line()).decode()
                    log("AUTH %s %s %s tls=%s" % (parts[1].upper(), u, p, tls))
                    if u == a.user and p == a.password:
                        authed = True; self.say("235 ok")
                    else:
                        self.say("535 5.7.8 bad credentials")
                    continue
                log(l if not l.startswith("PASS") else "(secret)")
                if cmd in ("EHLO", "HELO"):
                    caps = ["250-test"]
                    if ctx and not tls and not a.no_starttls:
                        caps.append("250-STARTTLS")
                    if a.user and (tls or not ctx):
                        caps.append("250-AUTH XOAUTH2 OAUTHBEARER" if a.oauth_token else "250-AUTH PLAIN LOGIN")
                    caps.append("250 8BITMIME")
                    for c in caps:
                        self.say(c)
                elif cmd == "STARTTLS" and ctx and not tls:
                    self.say("220 go ahead")
                    self.request = ctx.wrap_socket(self.request, server_side=True)
                    self.rfile = self.request.makefile("rb"); self.wfile = self.request.makefile("wb")
                    tls = True
                elif cmd == "MAIL":
                    if a.user and not authed:
                        self.say("530 5.7.0 authentication required"); continue
                    mail = l[10:].strip(); rcpts = []; self.say("250 ok")
                elif cmd == "RCPT":
                    rcpts.append(l[8:].strip()); self.say("250 ok")
                elif cmd == "DATA":
                    self.say("354 go")
                    body = []
                    while True:
                        d = self.rfile.readline()
                        if d in (b".\r\n", b".\n", b""):
                            break
                        body.append(d[1:] if d.startswith(b"..") else d)
                    count[0] += 1
                    n = count[0]
                    open(os.path.join(a.dir, "%d.eml" % n), "wb").write(b"".join(body))
                    open(os.path.join(a.dir, "%d.env" % n), "w").write("%s %s tls=%s\n" % (mail, " ".join(rcpts), tls))
                    while a.hold_file and os.path.exists(a.hold_file):
                        time.sleep(0.05)
                    self.say("250 queued")
                elif cmd == "QUIT":
                    self.say("221 bye"); return
                elif cmd in ("RSET", "NOOP"):
                    self.say("250 ok")
                else:
                    self.say("502 no")
        except (EOFError, ConnectionError, ssl.SSLError, OSError) as e:
            log("(connection ended: %s)" % e.__class__.__name__)

    def oauth(self, parts, tls):
        mech = parts[1].upper(); ir = len(parts) > 2
        data = parts[2] if ir else (self.say("334 "), self.line())[1]
        resp = base64.b64decode(data).decode("utf-8", "replace")
        sasl_user = a.user.replace("=", "=3D").replace(",", "=2C")
        want = ("user=%s\1auth=Bearer %s\1\1" % (a.user, a.oauth_token) if mech == "XOAUTH2"
                else "n,a=%s,\1auth=Bearer %s\1\1" % (sasl_user, a.oauth_token))
        sent = resp.split("Bearer ", 1)[-1].rstrip("\1")
        shown = resp.replace(sent, "<token>" if sent == a.oauth_token else "<another token>").replace("\1", "^A")
        log("AUTH %s ir=%s len=%d %s tls=%s" % (mech, "yes" if ir else "no", len(parts[2]) if ir else 0, shown, tls))
        if resp == want:
            self.say("235 2.7.0 Accepted"); return True
        err = '{"status":"invalid_token","scope":"https://mail.example.test/"}'
        self.say("334 " + base64.b64encode(err.encode()).decode())
        log("ERROR-CHALLENGE answer [%s]" % self.line())
        self.say("535 5.7.8 token not accepted" + (": " + sent if a.echo_token else ""))
        return False


class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

S(("127.0.0.1", a.port), H).serve_forever()
