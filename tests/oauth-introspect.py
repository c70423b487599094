#!/usr/bin/env python3
# tests/oauth-introspect.py PORT TOKEN USER LOG — a tiny OAuth 2.0 token
# introspection endpoint (RFC 7662) on 127.0.0.1 for Dovecot's oauth2 passdb:
# the one TOKEN is active and belongs to USER, every other token is not.
# Each request is counted in LOG as "active" or "inactive" (never the token).
import sys, json, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port, good, user, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        tok = form.get("token", [""])[0]
        ok = tok == good
        body = json.dumps({"active": True, "username": user} if ok else {"active": False}).encode()
        with open(log, "a") as f:
            f.write("active\n" if ok else "inactive\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


HTTPServer(("127.0.0.1", port), H).serve_forever()
