#!/usr/bin/env python3
"""A closed-loop load client for the latency of a sale: CLIENTS threads, each on its own
keep-alive connection, send the next checkout only when the last one is answered, and the time
of every request is recorded as it was (no correction, unlike wrk's percentiles for writes).

    python3 bench/closed_loop.py URL [--clients 4] [--seconds 10] [--split]
        (COOKIE and TOKEN from the environment: a signed-in seller with an open shift)

Prints one line: `sales RATE/s p50 MS p99 MS p99.9 MS max MS non-2xx N`. Each request is a
three-line cart of random generated products (BX00000001…BX00100000) with a new idempotency key.
"""
import argparse
import http.client
import os
import random
import threading
import time
import urllib.parse


def client(url, seconds, split, cookie, token, tid, out):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    path = "/pos/checkout" if split else "/pos/checkout/cash"
    headers = {
        "Cookie": cookie,
        "X-CSRF-Token": token,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    rnd = random.Random(tid * 7919 + int(time.time()))
    times, errors, n = [], 0, 0
    end = time.perf_counter() + seconds
    stamp = int(time.time() * 1000)
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        n += 1
        a, b, c = (rnd.randint(1, 100000) for _ in range(3))
        if split:
            pay = ('"tenders":[{"method":"card","amount":"10.00","reference":"AUTH-%d-%d"},'
                   '{"method":"cash","amount":"100000.00"}]' % (tid, n))
        else:
            pay = '"cash_received":"100000.00"'
        body = ('{"idempotency_key":"loop-%d-%d-%d","lines":[{"barcode":"BX%08d","quantity":1},'
                '{"barcode":"BX%08d","quantity":2},{"barcode":"BX%08d","quantity":1}],%s,"customer":null}'
                % (stamp, tid, n, a, b, c, pay))
        t0 = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        t1 = time.perf_counter()
        times.append(t1 - t0)
        if not 200 <= resp.status < 300:
            errors += 1
    out.append((times, errors))


def pct(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    i = min(len(sorted_ms) - 1, int(round(p / 100.0 * (len(sorted_ms) - 1))))
    return sorted_ms[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--split", action="store_true")
    args = ap.parse_args()
    cookie, token = os.environ["COOKIE"], os.environ["TOKEN"]
    out = []
    threads = [
        threading.Thread(target=client, args=(args.url, args.seconds, args.split, cookie, token, t, out))
        for t in range(args.clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    ms = sorted(x * 1000 for times, _ in out for x in times)
    errors = sum(e for _, e in out)
    print("sales %.0f/s p50 %.2f p99 %.2f p99.9 %.2f max %.2f non-2xx %d" % (
        len(ms) / elapsed, pct(ms, 50), pct(ms, 99), pct(ms, 99.9), ms[-1] if ms else 0, errors))


if __name__ == "__main__":
    main()
