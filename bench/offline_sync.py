#!/usr/bin/env python3
"""The offline till's two figures, against a running server with the generated catalogue:

1. The catalogue a till keeps: the whole of it from an empty cursor (pages of 2,000), then the
   delta after 100 price changes (bytes on the wire, uncompressed).
2. Syncing 1,000 queued sales from one till, 100 per request as the till sends them, then the
   same 1,000 again (a till that resends everything: every answer must be "already").

    COOKIE=... TOKEN=... python3 bench/offline_sync.py URL sqlite:PATH | pg:URL

Prints `catalogue ...`, `delta ...`, `sync ...` and `resync ...` lines; exits non-zero when a
sale is not accepted exactly once.
"""
import http.client
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
import uuid


def main():
    url, db = sys.argv[1], sys.argv[2]
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    headers = {"Cookie": os.environ["COOKIE"], "X-CSRF-Token": os.environ["TOKEN"],
               "Accept": "application/json", "Content-Type": "application/json"}

    def call(method, path, body=None):
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
        return data

    # 1. The whole catalogue, then the delta after 100 price changes.
    t0 = time.perf_counter()
    cursor, size, rows, pages = "", 0, {}, 0
    while True:
        data = call("GET", "/pos/catalogue?after=" + cursor)
        size += len(data)
        pages += 1
        page = json.loads(data)
        for p in page["products"]:
            rows[p[1]] = p
        cursor = page["next"]
        if not page["more"]:
            break
    print(f"catalogue {len(rows)} products in {pages} pages, {size / 1e6:.2f} MB, {time.perf_counter() - t0:.2f} s")
    changed = random.Random(7).sample(sorted(i for i in (p[0] for p in rows.values())), 100)
    sql = f"UPDATE products SET price_minor = price_minor + 100 WHERE id IN ({','.join(map(str, changed))})"
    if db.startswith("sqlite:"):
        import sqlite3
        c = sqlite3.connect(db[len("sqlite:"):], timeout=30)
        c.execute(sql)
        c.commit()
        c.close()
    else:
        subprocess.run(["psql", db[len("pg:"):], "-qc", sql], check=True)
    data = call("GET", "/pos/catalogue?after=" + cursor)
    delta = json.loads(data)["products"]
    print(f"delta {len(delta)} products, {len(data)} bytes")
    if sorted(p[0] for p in delta) != sorted(changed):
        sys.exit("the delta is not the 100 changed products")
    for p in delta:
        rows[p[1]] = p

    # 2. 1,000 queued sales of one till: two blocks of 500, 100 per request.
    rnd = random.Random(11)
    barcodes = [b for b, p in rows.items() if b.startswith("BX") and p[5] and not p[4]]
    sales = []
    for block_no in range(2):
        secret = uuid.uuid4().hex
        block = json.loads(call("POST", "/pos/offline/block",
                                {"idempotency_key": str(uuid.uuid4()), "secret": secret}))["block"]
        for n in range(1, 501):
            picks = rnd.sample(barcodes, 3)
            lines = [{"barcode": b, "quantity": 1, "price": f"{rows[b][3] / 100:.2f}"} for b in picks]
            total = sum(rows[b][3] for b in picks)
            sales.append({"idempotency_key": str(uuid.uuid4()), "block": block, "secret": secret, "number": n,
                          "made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          "lines": lines, "cash_received": f"{total / 100:.2f}", "total": f"{total / 100:.2f}"})
    for label, want in (("sync", "accepted"), ("resync", "already")):
        t0 = time.perf_counter()
        statuses = {}
        for i in range(0, len(sales), 100):
            answers = json.loads(call("POST", "/pos/sync", {"sales": sales[i:i + 100]}))["results"]
            for a in answers:
                statuses[a["status"]] = statuses.get(a["status"], 0) + 1
        took = time.perf_counter() - t0
        print(f"{label} {len(sales)} sales in {took:.2f} s ({len(sales) / took:.0f}/s): {statuses}")
        if statuses != {want: len(sales)}:
            sys.exit(f"{label}: every sale should be {want}")


if __name__ == "__main__":
    main()
