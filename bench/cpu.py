#!/usr/bin/python3
"""CPU used by the run's own processes between two snapshots, so a profile is not confused by
other programs on a shared machine.
  cpu.py snap name=pid[,pid...] ...   prints a snapshot (each pid counts with all its descendants)
  cpu.py diff LABEL BEFORE AFTER      prints "LABEL: name 0.83 cores, ... (machine busy x of n cores)"
"""
import json, os, sys, time

TICK = os.sysconf("SC_CLK_TCK")


def processes():
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # after the command: state ppid ... utime(12) stime(13) counted from state = index 0
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def snap(groups):
    table = processes()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    result = {}
    for group in groups:
        name, pids = group.split("=", 1)
        todo = [int(p) for p in pids.split(",") if p]
        seen, ticks = set(), 0
        while todo:
            pid = todo.pop()
            if pid in seen or pid not in table:
                continue
            seen.add(pid)
            ticks += table[pid][1]
            todo.extend(children.get(pid, []))
        result[name] = {"ticks": ticks, "pids": sorted(seen)}
    cpu = open("/proc/stat").readline().split()[1:]
    busy = sum(int(x) for x in cpu) - int(cpu[3]) - int(cpu[4])
    print(json.dumps({"time": time.time(), "groups": result, "busy": busy}))


def diff(label, before_path, after_path):
    before, after = json.load(open(before_path)), json.load(open(after_path))
    seconds = after["time"] - before["time"]
    parts = []
    for name, a in after["groups"].items():
        b = before["groups"].get(name, {"ticks": 0, "pids": []})
        # processes that ended between the snapshots are lost; processes born in between count fully
        used = a["ticks"] - b["ticks"] if set(b["pids"]) <= set(a["pids"]) else a["ticks"]
        parts.append(f"{name} {max(used, 0) / TICK / seconds:.2f}")
    machine = (after["busy"] - before["busy"]) / TICK / seconds
    print(f"{label} ({seconds:.1f} s): " + ", ".join(parts) + f" cores; whole machine busy {machine:.2f} of {os.cpu_count()} cores")


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(sys.argv[2:])
    else:
        diff(sys.argv[2], sys.argv[3], sys.argv[4])
