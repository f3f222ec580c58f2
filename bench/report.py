#!/usr/bin/python3
"""Renders bench/run's measurements (metric<TAB>path<TAB>value lines) as the markdown report."""
import sys

results_path, machine_path = sys.argv[1], sys.argv[2]
values = {}
for line in open(results_path):
    metric, path, value = line.rstrip("\n").split("\t")
    values[(metric, path)] = float(value)
machine = dict(line.rstrip("\n").split("=", 1) for line in open(machine_path) if "=" in line)


def get(metric, path):
    return values.get((metric, path))


def fmt(v, digits=None):
    if v is None:
        return "—"
    if digits is None:
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2 if abs(v) >= 1 else 3
    return f"{v:,.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}x"


def verdict(ok):
    return "—" if ok is None else ("**MET**" if ok else "**MISSED**")


def all_met(*checks):
    known = [c for c in checks if c is not None]
    return None if not known else all(known)


out = []
w = out.append
w(f"# Gateway benchmark ({machine['mode']} mode)")
w("")
w(f"Machine: {machine['nproc']} cores, {machine['cpu']}, {machine['kernel']}. "
  f"Versions: .NET SDK {machine['dotnet']}, {machine['openssh']}, nginx {machine['nginx']}, wrk {machine['wrk']}. "
  f"Date: {machine['date']}. Load average (1/5/15 min) at start {machine['load_start']}, at end {machine['load_end']} "
  f"(the machine is shared; figures above ~{machine['nproc']} mean other programs competed for the cores).")
w("")
w(f"Everything on 127.0.0.1 in one run. Tunnel cipher for paths 2, 3 and 4: `{machine['tunnel_cipher']}` "
  f"(forced with `ssh -o Ciphers=`), key exchange curve25519-sha256. wrk: {machine['wrk_seconds']} s per cell, "
  f"1 KiB file, HTTP/1.1 keep-alive. Bulk: one {machine['bulk_mib']} MiB download with curl. "
  f"Each path first gets an untimed warm-up ({machine.get('warm_seconds', '?')} s of wrk at 4 connections and a {machine.get('warm_mib', '?')} MiB download), then the bulk "
  f"download, then the wrk cells. "
  f"gRPC: 32 concurrent unary calls for {machine['grpc_seconds']} s over one HTTP/2 connection (bench/Bench grpc-load).")
w("")
w("Paths: **1** direct to nginx; **2** OpenSSH `sshd` + `ssh -N -R port:127.0.0.1:nginx` (wrk hits sshd's listener); "
  "**3a** gateway node, plain HTTP listener (`insecure_server`), OpenSSH `ssh -N -R 0` as tunnel client; "
  "**3b** the same over the HTTPS listener (TLS, Host/SNI web.bench.test); "
  "**3c** the same node's proxy on a route with no `upstream_tunnel` (the proxy alone, plain HTTP); "
  "**4** three nodes (A seed, B, C, plain HTTP listeners), `ssh -N -R 0` connected to B, load sent to A: "
  "every request crosses the node-to-node relay A → B.")
w("")

# ---------------------------------------------------------------- HTTP through the tunnel
w("## HTTP through a tunnel")
w("")
w("| Figure | 1 direct | 2 sshd -R | 3a gateway http | 3b gateway https | 3c proxy, no tunnel | 4 cluster | 3a÷1 | 3a÷2 | 3b÷1 | 3b÷2 | 4÷3a | Goal (issue 4) | Status |")
w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
paths = ["direct", "sshd", "gw_http", "gw_https", "gw_notunnel", "cluster"]


def row(label, metric, goal="", status=None, digits=None, missing=None):
    v = {p: get(metric, p) for p in paths}
    cells = [(missing or {}).get(p) if v[p] is None and p in (missing or {}) else fmt(v[p], digits) for p in paths]
    w(f"| {label} | " + " | ".join(cells) + " | "
      + " | ".join(fmt_ratio(ratio(v[a], v[b])) for a, b in
                   [("gw_http", "direct"), ("gw_http", "sshd"), ("gw_https", "direct"), ("gw_https", "sshd"), ("cluster", "gw_http")])
      + f" | {goal} | {verdict(status)} |")


for c in (1, 32, 256):
    if c == 32:
        r2 = ratio(get("rps_c32", "gw_http"), get("rps_c32", "sshd"))
        r3 = ratio(get("rps_c32", "gw_http"), get("rps_c32", "gw_notunnel"))
        goal = (f"3a ≥ 2x sshd (is {fmt_ratio(r2)}) and ≥ 0.8x proxy alone 3c (is {fmt_ratio(r3)})")
        row(f"req/s, {c} conn", f"rps_c{c}", goal, all_met(None if r2 is None else r2 >= 2.0, None if r3 is None else r3 >= 0.8))
    else:
        row(f"req/s, {c} conn", f"rps_c{c}")
for c in (1, 32, 256):
    if c == 1:
        gw, base, direct = get("p50_c1", "gw_http"), get("p50_c1", "gw_notunnel"), get("p50_c1", "direct")
        added = None if gw is None or base is None else gw - base
        added_direct = None if gw is None or direct is None else gw - direct
        goal = (f"added by the tunnel (3a − 3c) < 0.5 ms (is {fmt(added, 3)} ms; 3a − 1 is {fmt(added_direct, 3)} ms)")
        row("p50 ms, 1 conn", "p50_c1", goal, None if added is None else added < 0.5, digits=3)
    else:
        row(f"p50 ms, {c} conn", f"p50_c{c}", digits=3)
for c in (1, 32, 256):
    row(f"p99 ms, {c} conn", f"p99_c{c}", digits=3)
rb = ratio(get("bulk_mbs", "gw_http"), get("bulk_mbs", "sshd"))
row(f"bulk MB/s ({machine['bulk_mib']} MiB)", "bulk_mbs", f"3a ≥ 1.0x sshd -R (is {fmt_ratio(rb)})", None if rb is None else rb >= 1.0)
row("bulk MB/s right after the 256-connection cell (its pooled channels still open)", "bulk_after_burst_mbs", missing={
    "direct": "not measured", "gw_https": "not measured", "gw_notunnel": "not measured", "cluster": "not measured"})
row("gRPC unary calls/s (h2c upstream)", "grpc_rps", missing={
    "gw_http": "n/a: plain listener is HTTP/1.1 only", "gw_notunnel": "not measured",
    "cluster": "not measured"})
x_rps = ratio(get("rps_c32", "cluster"), get("rps_c32", "gw_http"))
x_bulk = ratio(get("bulk_mbs", "cluster"), get("bulk_mbs", "gw_http"))
w(f"| cross-node ÷ same-node (4 ÷ 3a) | | | | | | req/s 32 conn {fmt_ratio(x_rps)}, bulk {fmt_ratio(x_bulk)} | | | | | "
  f"| both ≥ 0.8x | {verdict(all_met(None if x_rps is None else x_rps >= 0.8, None if x_bulk is None else x_bulk >= 0.8))} |")
w("")
w("Latency ratios are slowdowns (higher is worse). gRPC on path 3 runs over the HTTPS listener (3b): the plain "
  "listener speaks HTTP/1.1 only (no h2c prior knowledge), the upstream hop is `h2c://`.")
w("")

# ---------------------------------------------------------------- the relay's byte path (issue 12)
if get("bulk_mbs", "cluster_splice") is not None or get("rps_c32", "cluster_splice") is not None:
    gib = float(machine["bulk_mib"]) / 1024
    w("## Cross-node byte path: Akka.Streams graph (4) and socket splice (4s)")
    w("")
    w("The same three nodes and the same load through A; the tunnel on B (`relay_byte_path = \"streams\"`, the "
      "default: each relayed connection is an Akka.Streams graph materialized by its connection actor) for 4, "
      "then on C (`relay_byte_path = \"splice\"`: two socket copy loops) for 4s. Holder CPU: the node holding "
      "the tunnel, over the whole bulk download, per GiB.")
    w("")
    w("| Figure | 4 graph | 4s splice | 4÷4s |")
    w("|---|---|---|---|")
    per = lambda v: None if v is None else v / gib
    def rounds(prefix, metric="bulk_mbs"):
        found = [get(metric, prefix)] + [get(metric, f"{prefix}_r{n}") for n in range(2, 10)]
        return [v for v in found if v is not None]
    graph_rounds, splice_rounds = rounds("cluster"), rounds("cluster_splice")
    median = lambda xs: None if not xs else sorted(xs)[len(xs) // 2] if len(xs) % 2 else (sorted(xs)[len(xs) // 2 - 1] + sorted(xs)[len(xs) // 2]) / 2
    w(f"| bulk MB/s, every round (graph first in odd rounds, splice first in even ones) | {', '.join(fmt(v) for v in graph_rounds)} | {', '.join(fmt(v) for v in splice_rounds)} | median {fmt_ratio(ratio(median(graph_rounds), median(splice_rounds)))} |")
    for c in (32, 256):
        g, sp = rounds("cluster", f"rps_c{c}"), rounds("cluster_splice", f"rps_c{c}")
        w(f"| req/s {c} conn, every round | {', '.join(fmt(v) for v in g)} | {', '.join(fmt(v) for v in sp)} | median {fmt_ratio(ratio(median(g), median(sp)))} |")
    for label, metric, digits in ((f"bulk MB/s ({machine['bulk_mib']} MiB), first round (graph first)", "bulk_mbs", None),
                                  ("req/s, 1 conn", "rps_c1", None), ("req/s, 32 conn", "rps_c32", None), ("req/s, 256 conn", "rps_c256", None),
                                  ("p50 ms, 1 conn", "p50_c1", 3), ("p50 ms, 32 conn", "p50_c32", 3), ("p99 ms, 32 conn", "p99_c32", 3)):
        g, sp = get(metric, "cluster"), get(metric, "cluster_splice")
        w(f"| {label} | {fmt(g, digits)} | {fmt(sp, digits)} | {fmt_ratio(ratio(g, sp))} |")
    g, sp = per(get("bulk_cpu_s_node_b", "cluster")), per(get("bulk_cpu_s_node_b", "cluster_splice"))
    w(f"| holder CPU s per GiB (bulk) | {fmt(g, 2)} | {fmt(sp, 2)} | {fmt_ratio(ratio(g, sp))} |")
    g, sp = per(get("bulk_cpu_s_node_a", "cluster")), per(get("bulk_cpu_s_node_a", "cluster_splice"))
    w(f"| node A CPU s per GiB (bulk) | {fmt(g, 2)} | {fmt(sp, 2)} | {fmt_ratio(ratio(g, sp))} |")
    w("")
    w("### Goals of the data-plane issue (12)")
    w("")
    w("| figure | value | goal | status |")
    w("|---|---|---|---|")
    goals = [
        ("cross-node relay bulk, Akka.Streams graph ÷ socket splice (4 ÷ 4s, median of the alternating rounds)", ratio(median(graph_rounds), median(splice_rounds)), 0.95, "≥ 0.95x"),
        ("cross-node requests/s at 32 connections ÷ same-node (4 ÷ 3a)", ratio(get("rps_c32", "cluster"), get("rps_c32", "gw_http")), 0.8, "≥ 0.8x"),
        ("cross-node bulk ÷ same-node (4 ÷ 3a)", ratio(get("bulk_mbs", "cluster"), get("bulk_mbs", "gw_http")), 0.9, "≥ 0.9x"),
        ("bulk through a tunnel ÷ OpenSSH `sshd -R`, same cipher (3a ÷ 2)", ratio(get("bulk_mbs", "gw_http"), get("bulk_mbs", "sshd")), 1.2, "≥ 1.2x"),
        ("requests/s at 32 connections ÷ `sshd -R` (3a ÷ 2)", ratio(get("rps_c32", "gw_http"), get("rps_c32", "sshd")), 3.0, "≥ 3x"),
    ]
    for label, r, target, goal in goals:
        w(f"| {label} | {fmt_ratio(r)} | {goal} | {verdict(None if r is None else r >= target)} |")
    gw, base = get("p50_c1", "gw_http"), get("p50_c1", "gw_notunnel")
    added = None if gw is None or base is None else gw - base
    w(f"| p50 added by the tunnel at 1 connection (3a − 3c) | {fmt(added, 3)} ms | < 0.1 ms | {verdict(None if added is None else added < 0.1)} |")
    w("")

# ---------------------------------------------------------------- health checks (issue 11)
w("## A route with health checks")
w("")
w("Path 3d: the node and tunnel of 3a, route `hc.bench.test` with an HTTP health check every second "
  "through the same tunnel (`/1k.bin`, 1 s interval and timeout).")
w("")
w("| Figure | 3a no checks | 3d checks every 1 s | 3d÷3a | Goal (issue 11) | Status |")
w("|---|---|---|---|---|---|")
for c in (1, 32, 256):
    a, d = get(f"rps_c{c}", "gw_http"), get(f"rps_c{c}", "gw_hc")
    r = ratio(d, a)
    goal, status = ("equal within noise (≥ 0.95x)", None if r is None else r >= 0.95) if c == 32 else ("", None)
    w(f"| req/s, {c} conn | {fmt(a)} | {fmt(d)} | {fmt_ratio(r)} | {goal} | {verdict(status) if goal else ''} |")
w("")

# ---------------------------------------------------------------- the relay's CPU
gib = float(machine["bulk_mib"]) / 1024
same = get("bulk_cpu_s_node", "gw_http")
a, b = get("bulk_cpu_s_node_a", "cluster"), get("bulk_cpu_s_node_b", "cluster")
if same is not None or a is not None:
    w("## Relay CPU during the bulk download")
    w("")
    w(f"CPU seconds (utime + stime from `/proc/<pid>/stat`) of each gateway node process over the whole "
      f"{machine['bulk_mib']} MiB download, per GiB transferred. On path 4, A accepts the HTTP request, runs the proxy "
      f"and dials B's relay; B splices the relay socket to the SSH channel. The single node of 3a does the proxy and the SSH channel.")
    w("")
    w("| Figure | CPU s per GiB |")
    w("|---|---|")
    per = lambda v: None if v is None else v / gib
    w(f"| 3a, the single node | {fmt(per(same), 2)} |")
    w(f"| 4, node A (proxy + relay client) | {fmt(per(a), 2)} |")
    w(f"| 4, node B (relay server + SSH) | {fmt(per(b), 2)} |")
    extra = None if a is None or b is None or same is None else (a + b - same) / gib
    w(f"| **relay cost: (A + B) − 3a** | **{fmt(extra, 2)}** |")
    w("")

# ---------------------------------------------------------------- the node itself
w("## Node")
w("")
w("| Figure | gateway | sshd | gateway÷sshd | Goal | Status |")
w("|---|---|---|---|---|---|")
for p, label in ((1, "sequential"), (8, "8 parallel")):
    g, s = get(f"tunnels_p{p}", "gw_http"), get(f"tunnels_p{p}", "sshd")
    w(f"| new tunnel connections/s, {label} ({machine['rate_count']} × connect, auth, `-R 0`, disconnect; our SshClient) "
      f"| {fmt(g)} | {fmt(s)} | {fmt_ratio(ratio(g, s))} | — | — |")
idle = get("idle_kib", "gw_http")
w(f"| memory per idle tunnel connection, KiB ({machine['idle_count']} connections by our SshClient, VmRSS delta ÷ count) "
  f"| {fmt(idle)} | not measured: sshd forks a process per connection | — | < 100 KiB | {verdict(None if idle is None else idle < 100)} |")
for p, label in (("gw_http", "plain HTTP listener"), ("gw_https", "HTTPS listener, local CA generated on start")):
    w(f"| process start to \"gateway ready\", ms ({label}, fresh data_dir) | {fmt(get('startup_ms', p))} | — | — | — | — |")
w("")

# ---------------------------------------------------------------- issue 2: one SSH channel
w("## One SSH channel, OpenSSH `ssh` as client (issue 2)")
w("")
w(f"Our server is src/Ssh's SshServer in bench/Bench (`generate N` / `sink`), sshd runs `head -c N /dev/zero` / "
  f"`cat > /dev/null`; {machine['channel_mib']} MiB per transfer, wall time of the whole `ssh` command (includes the handshake).")
w("")
w("| Figure | ours | sshd | ours÷sshd | Goal | Status |")
w("|---|---|---|---|---|---|")
for cipher in ("aes128-gcm", "aes256-gcm", "chacha20-poly1305"):
    for d, label in (("s2c", "server→client"), ("c2s", "client→server")):
        o, s = get(f"{d}_{cipher}", "ours"), get(f"{d}_{cipher}", "sshd")
        if o is None and s is None:
            continue
        r = ratio(o, s)
        w(f"| {label} MB/s, {cipher} | {fmt(o)} | {fmt(s)} | {fmt_ratio(r)} | ≥ 1.0x sshd | {verdict(None if r is None else r >= 1.0)} |")
o, s = get("handshakes", "ours"), get("handshakes", "sshd")
w(f"| handshakes/s (sequential `ssh host true`, {machine['handshake_count']} logins, ed25519 user key) "
  f"| {fmt(o)} | {fmt(s)} | {fmt_ratio(ratio(o, s))} | — | — |")
w("")
print("\n".join(out))
