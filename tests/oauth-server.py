#!/usr/bin/env python3
# tests/oauth-server.py DIR HTTPS_PORT HTTP_PORT — h-oauth: a small OAuth 2.0
# provider on 127.0.0.1 for the tests, with its state in DIR:
#   HTTPS (DIR/server.pem, server.key): the token endpoint /token (grants
#     refresh_token with rotation, client_credentials with the secret of
#     DIR/client-secret or an RS256 client assertion signed by the key of
#     DIR/client-cert.pem with its x5t, jwt-bearer signed by the service
#     account key DIR/sa.json) and the device authorization endpoint /device
#     (RFC 8628: the first poll is authorization_pending, the second
#     slow_down, then the sign-in succeeds);
#   HTTP: the introspection endpoint /introspect (RFC 7662) for Dovecot: a
#     token is active if it was issued here and has not expired.
# DIR/refresh-token holds the one valid refresh token (the test writes it;
# a refresh rotates it unless DIR/no-rotate exists); DIR/expires-in the
# lifetime of new access tokens (default 3600). DIR/log gets one line per
# request (never a token or secret).
import base64, hashlib, json, os, secrets, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

D, HTTPS_PORT, HTTP_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CLIENT_ID = "dcvmail-test"
APP_USER = "whois@example.test"  # whom an app token (refresh, client credentials) logs in as
lock = threading.RLock()
issued = {}  # access token -> (user, expiry)
device = {}  # device code -> polls so far, time of the last poll


def rd(name, default=None):
    try:
        with open(os.path.join(D, name)) as f:
            return f.read().strip()
    except OSError:
        return default


def log(line):
    with lock, open(os.path.join(D, "log"), "a") as f:
        f.write(line + "\n")


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def verify_jwt(jwt, pub):
    """The header and claims of an RS256 JWT whose signature pub verifies, else None."""
    try:
        h, c, s = jwt.split(".")
        pub.verify(b64d(s), (h + "." + c).encode(), padding.PKCS1v15(), hashes.SHA256())
        return json.loads(b64d(h)), json.loads(b64d(c))
    except Exception:
        return None


def token_url():
    return "https://localhost:%d/token" % HTTPS_PORT


def new_token(user):
    t = "dcvtest-at-" + secrets.token_urlsafe(24)
    life = int(rd("expires-in", "3600"))
    with lock:
        issued[t] = (user, time.time() + life)
    return {"access_token": t, "token_type": "Bearer", "expires_in": life}


def grant_client_credentials(f):
    if f.get("client_id") != CLIENT_ID:
        return 401, {"error": "invalid_client"}, "client_credentials bad-client"
    if "client_secret" in f:
        if f["client_secret"] != rd("client-secret"):
            return 401, {"error": "invalid_client", "error_description": "wrong secret"}, "client_credentials bad-secret"
        how = "secret"
    else:
        cert = x509.load_pem_x509_certificate(open(os.path.join(D, "client-cert.pem"), "rb").read())
        v = verify_jwt(f.get("client_assertion", ""), cert.public_key())
        if f.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or v is None:
            return 401, {"error": "invalid_client", "error_description": "bad assertion"}, "client_credentials bad-assertion"
        h, c = v
        der = cert.public_bytes(serialization.Encoding.DER)
        ok = (h.get("alg") == "RS256" and h.get("x5t") == b64e(hashlib.sha1(der).digest())
              and c.get("aud") == token_url() and c.get("iss") == CLIENT_ID and c.get("sub") == CLIENT_ID
              and c.get("exp", 0) > time.time() and c.get("jti"))
        if not ok:
            return 401, {"error": "invalid_client", "error_description": "assertion claims"}, "client_credentials bad-claims"
        how = "assertion"
    if f.get("scope") != "https://outlook.office365.com/.default":
        return 400, {"error": "invalid_scope"}, "client_credentials bad-scope"
    return 200, new_token(APP_USER), "client_credentials ok " + how


def grant_refresh(f):
    if f.get("client_id") != CLIENT_ID:
        return 401, {"error": "invalid_client"}, "refresh_token bad-client"
    with lock:
        good = rd("refresh-token")
        if not good or f.get("refresh_token") != good:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS70000: the refresh token was revoked"}, "refresh_token revoked"
        r = new_token(APP_USER)
        if not os.path.exists(os.path.join(D, "no-rotate")):
            r["refresh_token"] = "dcvtest-rt-" + secrets.token_urlsafe(24)
            with open(os.path.join(D, "refresh-token"), "w") as o:
                o.write(r["refresh_token"])
    return 200, r, "refresh_token ok" + (" rotated" if "refresh_token" in r else "")


def grant_jwt_bearer(f):
    sa = json.load(open(os.path.join(D, "sa.json")))
    key = serialization.load_pem_private_key(sa["private_key"].encode(), None)
    v = verify_jwt(f.get("assertion", ""), key.public_key())
    if v is None:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, "jwt-bearer bad-signature"
    h, c = v
    ok = (h.get("kid") == sa["private_key_id"] and c.get("iss") == sa["client_email"] and c.get("aud") == token_url()
          and c.get("scope") == "https://mail.google.com/" and c.get("exp", 0) > time.time() and c.get("sub"))
    if not ok:
        return 400, {"error": "invalid_grant", "error_description": "claims"}, "jwt-bearer bad-claims"
    return 200, new_token(c["sub"]), "jwt-bearer ok sub=" + c["sub"]


def grant_device(f):
    code = f.get("device_code", "")
    with lock:
        if code not in device:
            return 400, {"error": "invalid_grant"}, "device unknown"
        n, last = device[code]
        now = time.time()
        device[code] = (n + 1, now)
    gap = now - last
    if n == 0:
        return 400, {"error": "authorization_pending"}, "device pending gap=%.1f" % gap
    if n == 1:
        return 400, {"error": "slow_down"}, "device slow_down gap=%.1f" % gap
    rt = "dcvtest-rt-" + secrets.token_urlsafe(24)
    with lock, open(os.path.join(D, "refresh-token"), "w") as o:
        o.write(rt)
    r = new_token(APP_USER)
    r["refresh_token"] = rt
    return 200, r, "device ok gap=%.1f" % gap


class H(BaseHTTPRequestHandler):
    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        f = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode()).items()}
        if self.path == "/introspect":
            with lock:
                u, exp = issued.get(f.get("token", ""), (None, 0))
            ok = u is not None and exp > time.time()
            log("introspect " + ("active " + u if ok else "inactive"))
            return self.answer(200, {"active": True, "username": u} if ok else {"active": False})
        if self.path == "/device":
            if f.get("client_id") != CLIENT_ID:
                return self.answer(401, {"error": "invalid_client"})
            code = secrets.token_urlsafe(16)
            with lock:
                device[code] = (0, time.time())
            log("device-authorization scope=" + f.get("scope", ""))
            return self.answer(200, {"device_code": code, "user_code": "WDJB-MJHT",
                                     "verification_uri": "https://localhost:%d/activate" % HTTPS_PORT,
                                     "expires_in": 60, "interval": 1})
        g = f.get("grant_type", "")
        fn = {"client_credentials": grant_client_credentials, "refresh_token": grant_refresh,
              "urn:ietf:params:oauth:grant-type:jwt-bearer": grant_jwt_bearer,
              "urn:ietf:params:oauth:grant-type:device_code": grant_device}.get(g)
        if self.path != "/token" or fn is None:
            log("bad request " + self.path)
            return self.answer(400, {"error": "unsupported_grant_type"})
        status, obj, line = fn(f)
        log("token " + line)
        self.answer(status, obj)

    def log_message(self, *a):
        pass


def serve(port, tls):
    s = ThreadingHTTPServer(("127.0.0.1", port), H)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(D, "server.pem"), os.path.join(D, "server.key"))
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
    s.serve_forever()


threading.Thread(target=serve, args=(HTTP_PORT, False), daemon=True).start()
serve(HTTPS_PORT, True)
