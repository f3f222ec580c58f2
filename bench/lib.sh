# Helpers shared by bench/run and bench/profile (sourced, not run).

# A free loopback port below the ephemeral range, so no port-0 socket takes it first.
free_port() { python3 -c 'import socket,random
low=int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
while True:
  p=random.randrange(20000,low)
  s=socket.socket()
  try: s.bind(("127.0.0.1",p)); print(p); break
  except OSError: pass'; }

wait_port() {   # port, seconds: until something accepts on 127.0.0.1:port
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

cpu_ticks() {   # pid: utime+stime of the process so far, in clock ticks
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
