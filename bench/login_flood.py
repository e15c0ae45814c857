#!/usr/bin/env python3
"""A sign-in flood: N clients, each with its own session cookie and CSRF token, posting
sign-ins with random usernames and wrong passwords as fast as the server answers, for D
seconds. With --spread, each client claims its own address through X-Forwarded-For (the server
trusts 127.0.0.1 as a proxy in the benchmark), so the per-address throttle does not stop the
flood and the password gate is what protects the shop. Prints status counts as JSON."""
import http.client, json, random, re, string, sys, threading, time, urllib.parse

url, clients, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
spread = "--spread" in sys.argv
host = urllib.parse.urlparse(url)
counts, lock = {}, threading.Lock()
stop_at = time.time() + seconds

def client(n):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.{random.randint(1, 250)}"} if spread else {}
    conn.request("GET", "/login", headers=headers)
    r = conn.getresponse(); body = r.read().decode()
    cookie = r.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', body).group(1)
    while time.time() < stop_at:
        user = "flood-" + "".join(random.choice(string.ascii_lowercase) for _ in range(10))
        form = urllib.parse.urlencode({"csrf_token": token, "username": user, "password": "wrong-password-1"})
        h = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        try:
            conn.request("POST", "/login", body=form, headers=h)
            resp = conn.getresponse(); resp.read()
            status = resp.status
            if resp.getheader("Set-Cookie"):
                cookie = resp.getheader("Set-Cookie").split(";")[0]
        except Exception:
            status = "error"
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        with lock:
            counts[status] = counts.get(status, 0) + 1

threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({str(k): v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))}))
