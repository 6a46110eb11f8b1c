"""Exec -> handshake line timing and peak RSS of a Terraform provider binary.

usage: handshake.py BINARY CLIENT_CERT_PEM RUNS
Starts BINARY RUNS times as Terraform does (magic cookie, protocol versions,
client certificate), reads the first stdout line, then reads VmHWM of the
process and kills it. Prints: median min max (ms) median-VmHWM (MiB) protocol
median-CPU (ms, all threads, up to the handshake line).
"""
import os
import statistics
import subprocess
import sys
import time

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def vm_hwm_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def cpu_ms(pid):
    """CPU time used so far by all threads of pid (schedstat, ns): unlike
    wall time it barely moves when other processes load the machine."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except OSError:
        return None
    return total / 1e6


def main():
    bin_path, cert_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = dict(os.environ)
    env.update({
        "TF_PLUGIN_MAGIC_COOKIE": COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": "5,6",
        "PLUGIN_MIN_PORT": "10000", "PLUGIN_MAX_PORT": "25000",
        "PLUGIN_CLIENT_CERT": open(cert_path).read(),
    })
    times, rss, cpu, line = [], [], [], b""
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([bin_path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
        line = p.stdout.readline()
        t1 = time.perf_counter()
        hwm = vm_hwm_mib(p.pid)
        used = cpu_ms(p.pid)
        p.kill()
        p.wait()
        if not line.strip():
            sys.exit("no handshake line from %s" % bin_path)
        times.append((t1 - t0) * 1000.0)
        if hwm:
            rss.append(hwm)
        if used is not None:
            cpu.append(used)
    print("%.1f %.1f %.1f %.1f %s %.1f" % (statistics.median(times), min(times), max(times),
                                           statistics.median(rss) if rss else -1,
                                           line.decode().split("|")[1],
                                           statistics.median(cpu) if cpu else -1))


if __name__ == "__main__":
    main()
