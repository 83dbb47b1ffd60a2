#!/bin/sh
# Malformed and hostile HTTP against `stad serve` on 127.0.0.1, over raw sockets:
# oversized request lines and headers, invalid UTF-8 in the query, bad JSON bodies,
# huge bodies, request smuggling (Content-Length with Transfer-Encoding, two
# Content-Lengths), bare LF and NUL in the request, and many slow clients. Every answer
# is a clean 4xx (or a closed connection for what is not HTTP), never a 5xx, the JSON
# error bodies are valid UTF-8 JSON, no request is answered twice, and the server keeps
# answering others meanwhile and after.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
. "$HERE/serve_lib.inc"
need curl

load_groningen
printf '%s\n' 'malformed-password-1' | run_ok user st user add beheer --role admin
start_serve
note "serving at $URL"

"$PY" - "$PORT" >"$T/malformed.out" 2>&1 <<'PYEOF' || { show "$T/malformed.out"; show "$SERVE_ERR"; fail "malformed HTTP checks failed (see above)"; }
import json, socket, sys, time

PORT = int(sys.argv[1])
failures = []

def send(raw, src="127.0.0.1", timeout=10, half_close=True):
    """Sends raw bytes, returns everything the server answers before closing."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout,
                                 source_address=(src, 0))
    try:
        try:
            s.sendall(raw)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before it has read everything
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            out += b
        return out
    finally:
        s.close()

def statuses(resp):
    """Status codes of all responses in a byte stream (pipelined answers)."""
    codes = []
    for line in resp.split(b"\r\n"):
        if line.startswith(b"HTTP/1."):
            parts = line.split(b" ")
            if len(parts) >= 2 and parts[1].isdigit():
                codes.append(int(parts[1]))
    return codes

def check(name, resp, allowed, n=1, json_body=False):
    codes = statuses(resp)
    if len(codes) > n:
        failures.append("%s: %d responses %s, expected at most %d" % (name, len(codes), codes, n))
    elif codes and codes[0] not in allowed:
        failures.append("%s: status %s, expected one of %s" % (name, codes[0], allowed))
    elif not codes and 0 not in allowed:
        failures.append("%s: no response (connection closed)" % name)
    if codes and codes[0] >= 500 and codes[0] != 505:
        failures.append("%s: server error %d" % (name, codes[0]))
    if json_body and codes:
        body = resp.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in resp else b""
        try:
            json.loads(body.decode("utf-8"))
        except Exception as e:
            failures.append("%s: error body is not UTF-8 JSON (%s): %r" % (name, e, body[:200]))
    print("%-40s -> %s" % (name, codes or "closed"))

def health(name):
    r = send(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if statuses(r)[:1] != [200]:
        failures.append("after %s: /api/health answered %s" % (name, statuses(r)))

def login():
    body = json.dumps({"name": "beheer", "password": "malformed-password-1"}).encode()
    r = send(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    for line in r.split(b"\r\n"):
        if line.lower().startswith(b"set-cookie:"):
            return line.split(b":", 1)[1].split(b";")[0].strip()
    sys.exit("login failed: %r" % r[:300])

cookie = login()
def get(path, extra=b""):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            b"\r\nConnection: close\r\n" + extra + b"\r\n")

def post(path, body, ctype=b"application/json", extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: %d\r\nConnection: close\r\n" %
            len(body) + extra + b"\r\n" + body)

# sanity: the session works
check("GET /api/stats with the session", send(get(b"/api/stats?kind=theft.bike")), [200], json_body=True)

# ---- sizes ----
check("request line of 100 KiB", send(b"GET /api/stats?kind=" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
      [400, 413, 414, 431, 0])
check("one header of 64 KiB", send(get(b"/api/health", b"X-Big: " + b"b" * 65536 + b"\r\n")),
      [400, 413, 431, 0])
check("2000 small headers", send(get(b"/api/health", b"".join(b"X-H%d: v\r\n" % i for i in range(2000)))),
      [400, 413, 431, 0])
check("cookie of 40 KiB", send(b"GET /api/stats HTTP/1.1\r\nHost: x\r\nCookie: s=" + b"c" * 40000 + b"\r\n\r\n"),
      [400, 401, 413, 431, 0])
health("oversized requests")

# ---- query strings ----
for name, q in [("invalid UTF-8 (encoded)", b"/api/stats?kind=%FF%FE%80"),
                ("invalid UTF-8 (raw bytes)", b"/api/stats?kind=\xff\xfe\xc0\xaf"),
                ("overlong UTF-8 slash", b"/api/stats?area=%C0%AF..%C0%AF"),
                ("NUL in a value", b"/api/stats?kind=theft%00.bike"),
                ("NUL in a key", b"/api/stats?ki%00nd=theft.bike"),
                ("control bytes in a key", b"/api/stats?%1b%5b31m=1"),
                ("lone percent", b"/api/stats?kind=%"),
                ("bad percent escape", b"/api/stats?kind=%zz"),
                ("25 parameters", b"/api/stats?" + b"&".join(b"p%d=1" % i for i in range(25))),
                ("repeated parameter", b"/api/stats?kind=a&kind=b"),
                ("huge number", b"/api/events?page=99999999999999999999999999"),
                ("NaN bbox", b"/api/events?bbox=nan,nan,nan,nan"),
                ("inf cell", b"/api/kde?cell=inf"),
                ("date far out", b"/api/stats?from=99999-01-01"),
                ("5000 kinds", b"/api/stats?kind=" + b",".join([b"a"] * 5000))]:
    check("query: " + name, send(get(q)), [400, 414, 431], json_body=True)
health("bad queries")

# ---- bodies ----
for name, body in [("truncated JSON", b'{"name":'),
                   ("not an object", b"[1,2,3]"),
                   ("wrong types", b'{"name":1,"password":["x"]}'),
                   ("invalid UTF-8 in a string", b'{"name":"\xff\xfe","password":"x"}'),
                   ("NUL escaped in a string", b'{"name":"a\\u0000b","password":"x"}'),
                   ("deep nesting", b"[" * 10000 + b"]" * 10000),
                   ("empty body", b""),
                   ("not JSON at all", b"\x00\x01\x02binary")]:
    check("POST /api/login: " + name, send(post(b"/api/login", body)), [400, 401, 413, 415, 429],
          json_body=True)
check("POST with a form content type", send(post(b"/api/login", b"name=a&password=b",
      b"application/x-www-form-urlencoded")), [400, 415], json_body=True)
big = b'{"name":"' + b"x" * (2 * 1024 * 1024) + b'"}'
check("POST body of 2 MiB", send(post(b"/api/login", big)), [413, 0], json_body=False)
check("POST announcing 10^12 bytes", send(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      b"Content-Length: 1000000000000\r\n\r\n{}"), [413, 0])
check("GET with a body", send(get(b"/api/health", b"Content-Length: 5\r\n") + b"hello"), [413, 400])
check("POST to a GET route", send(post(b"/api/stats", b"{}")), [405], json_body=True)
check("unknown method", send(b"BREW /api/health HTTP/1.1\r\nHost: x\r\n\r\n"), [400, 405, 501])
health("bad bodies")

# ---- smuggling ----
smuggled = b"GET /api/events?page_size=1 HTTP/1.1\r\nHost: x\r\n\r\n"
check("Content-Length with Transfer-Encoding", send(
    b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled), [400, 413, 0])
check("Transfer-Encoding with Content-Length", send(
    b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n" + smuggled), [400, 413, 0])
check("two different Content-Lengths", send(
    b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\nContent-Length: 60\r\n\r\n{}" + smuggled), [400, 413, 0])
check("obfuscated Transfer-Encoding", send(
    b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}"), [400, 401, 413, 0])
check("Transfer-Encoding: xchunked", send(
    b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: xchunked\r\n\r\n{}"), [400, 413, 501, 0])
check("chunked GET", send(get(b"/api/health", b"Transfer-Encoding: chunked\r\n") + b"0\r\n\r\n" + smuggled),
      [400, 413, 0])
check("header folding", send(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n"),
      [200, 400, 0])
check("bare LF line ends", send(b"GET /api/health HTTP/1.1\nHost: x\n\n"), [200, 400, 0])
check("NUL in the request line", send(b"GET /api/he\x00alth HTTP/1.1\r\nHost: x\r\n\r\n"), [400, 404, 0])
# Served: the server has no virtual hosts. (MHD's strict mode would refuse it, but
# libmicrohttpd 0.9.75 then writes its 400 header twice, so it stays off.)
check("HTTP/1.1 without Host", send(b"GET /api/health HTTP/1.1\r\n\r\n"), [200, 400])
check("HTTP/9.9", send(b"GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n"), [400, 505, 0])
check("garbage", send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 200), [400, 0])
health("smuggling attempts")

# ---- many slow clients (slowloris) ----
slow = []
for i in range(100):   # more than the per-IP limit (64)
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    except OSError:
        break
print("slow clients open: %d" % len(slow))
# Others (another source address) are served at once while the slow ones hang.
t0 = time.time()
for k in range(20):
    r = send(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", src="127.0.0.2")
    if statuses(r)[:1] != [200]:
        failures.append("request %d from 127.0.0.2 during the slow clients: %s" % (k, statuses(r)))
        break
dt = time.time() - t0
print("20 requests from 127.0.0.2 during %d slow clients: %.2f s" % (len(slow), dt))
if dt > 5:
    failures.append("20 health requests took %.1f s while slow clients held connections" % dt)
# trickle one more byte to keep them alive, then drop them
for s in slow:
    try:
        s.sendall(b"X")
    except OSError:
        pass
for s in slow:
    s.close()
# The server sees the closed sockets asynchronously; until it has, this address is
# still at its per-IP connection limit and is refused. Alone that takes 0.5 s; under
# the sanitizers on a loaded machine libmicrohttpd sometimes notices them only when
# they time out (15 s, CONNECTION_TIMEOUT; seen in CI and reproduced with three runs
# at once), so wait until it is served again, at most twice that: the server must
# recover, not hang on to the dead connections for good.
deadline = time.time() + 30
while True:
    time.sleep(0.5)
    r = send(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if statuses(r)[:1] == [200] or time.time() > deadline:
        break
print("served again %.1f s after the slow clients closed" % (time.time() - deadline + 30))
health("slow clients")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("all malformed requests answered cleanly")
PYEOF
sed 's/^/  /' "$T/malformed.out"
alive "$SERVE_PID" || fail "the server died"
stop_serve
note "ok"
