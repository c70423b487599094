#!/usr/bin/env python3
"""A small HTTPS server for the action tests (webhook receiver, CA approval
site). Every request is appended as one JSON line to LOG: method, path,
headers, body. Answers come from ROUTES, a JSON file read on every request:
{"/path": {"status": 200, "body": "...", "location": "...", "delay": 0,
"set_cookie": "..."}}; a key "POST /path" wins over "/path" for that method;
"*" is the default. "delay" holds the answer that many seconds after the
request is logged (a CA site that takes its time, for kill tests); once an
answer is written, one JSON line (method, path, status) is appended to
LOG.answered.
usage: https-server.py PORT CERT KEY LOG ROUTES"""
import json, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, cert, key, log, routes = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with open(log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")
        try:
            table = json.load(open(routes))
        except Exception:
            table = {}
        path = self.path.split("?")[0]
        r = table.get(self.command + " " + path, table.get(path, table.get("*", {})))
        time.sleep(r.get("delay", 0))
        data = r.get("body", "ok").encode()
        try:
            self.send_response(r.get("status", 200))
            if "location" in r:
                self.send_header("Location", r["location"])
            if "set_cookie" in r:
                self.send_header("Set-Cookie", r["set_cookie"])
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client is gone (killed while we held the answer)
            return
        with open(log + ".answered", "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "status": r.get("status", 200)}) + "\n")

    do_GET = do_POST = handle_any

srv = ThreadingHTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
