"""Times closing cafe sessions: a waiter opens N takeaway bills with two lines each (not
timed), then closes each one (timed, one at a time, keep-alive). Prints p50/p95/p99 in ms.
    python3 bench/close_sessions.py http://127.0.0.1:PORT [N]"""
import http.client
import re
import statistics
import sys
import time
import urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
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

times = []
for sid in sessions:
    start = time.perf_counter()
    status, _, body = call("POST", f"/floor/sessions/{sid}/close", {"csrf_token": token, "payment_method": "cash"})
    times.append((time.perf_counter() - start) * 1000)
    assert status == 303, (status, body[:300])
times.sort()
q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
print(f"closed {len(times)} sessions: p50 {q(0.50):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, mean {statistics.mean(times):.2f} ms")
