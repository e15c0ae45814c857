"""Times closing cafe sessions: a waiter opens N takeaway bills with two lines each (not
timed), then closes each one (timed, one at a time, keep-alive). Prints p50/p95/p99 in ms.
With SHARES (2-12), each bill is first shared evenly among SHARES (timed apart) and every share
is closed on its own (each close timed).
    python3 bench/close_sessions.py http://127.0.0.1:PORT [N] [SHARES]"""
import http.client
import re
import statistics
import sys
import time
import urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
shares = int(sys.argv[3]) if len(sys.argv) > 3 else 0
conn = http.client.HTTPConnection(url.hostname, url.port)
cookies = {}


def call(method, path, fields=None):
    body = urllib.parse.urlencode(fields) if fields is not None else None
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    for h in r.headers.get_all("Set-Cookie") or []:
        k, v = h.split(";", 1)[0].split("=", 1)
        cookies[k] = v
    return r.status, r.headers.get("Location", ""), data


_, _, page = call("GET", "/login")
token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
status, _, _ = call("POST", "/login", {"csrf_token": token, "username": "waiter", "password": "tillpoint-demo"})
assert status == 303, status
_, _, page = call("GET", "/floor")
token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
items = None
sessions = []
for i in range(n):
    status, loc, _ = call("POST", "/floor/takeaway", {"csrf_token": token, "kind": "takeaway", "customer_name": f"Bench {i}"})
    assert status == 303, (status, loc)
    sid = int(loc.rsplit("/", 1)[1])
    if items is None:
        _, _, page = call("GET", f"/floor/sessions/{sid}")
        # Two items that need no options (a coffee asks for its size).
        asks = set(re.findall(r'data-mods-for="(\d+)"', page))
        items = [i for i in re.findall(r'<option value="(\d+)">', page) if i not in asks][:2]
    for item in items:
        status, _, body = call("POST", f"/floor/sessions/{sid}/lines", {"csrf_token": token, "menu_item_id": item, "quantity": "2"})
        assert status == 303, (status, body[:300])
    sessions.append(sid)


def quantiles(label, times):
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    print(f"{label} {len(times)}: p50 {q(0.50):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, mean {statistics.mean(times):.2f} ms")


if shares:
    splits, bills = [], []
    for sid in sessions:
        start = time.perf_counter()
        status, _, body = call("POST", f"/floor/sessions/{sid}/split", {"csrf_token": token, "how": "even", "parts": str(shares)})
        splits.append((time.perf_counter() - start) * 1000)
        assert status == 303, (status, body[:300])
        _, _, page = call("GET", f"/floor/sessions/{sid}")
        others = re.findall(r'<a href="/floor/sessions/(\d+)">share \d+', page)
        assert len(others) == shares - 1, others
        bills += [sid] + [int(o) for o in others]
    quantiles("shared evenly", splits)
    sessions = bills

times = []
for sid in sessions:
    start = time.perf_counter()
    status, _, body = call("POST", f"/floor/sessions/{sid}/close", {"csrf_token": token, "payment_method": "cash"})
    times.append((time.perf_counter() - start) * 1000)
    assert status == 303, (status, body[:300])
quantiles("closed sessions" if not shares else "closed shares", times)
