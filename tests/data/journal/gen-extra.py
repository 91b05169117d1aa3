import struct, sys
BOOT = "5249600957e5465d88e372e66fe86f1c"
MACH = "3d1219c7c4c5404aaa1f6d2a48adfda4"
base = 1796305200000000
entries = [
 # (fields)
 [("SYSLOG_IDENTIFIER", "sshd-session"), ("_PID", "31001"), ("_UID", "0"),
  ("_COMM", "sshd-session"),
  ("MESSAGE", "Failed password for root from 203.0.113.7 port 40022 ssh2")],
 [("SYSLOG_IDENTIFIER", "sshd"), ("_PID", "31002"), ("_UID", "0"),
  ("_COMM", "sshd"),
  ("MESSAGE", b"Invalid user a\x1b[2J\x00\nb\x7f\xc3\xa9 from 198.51.100.23 port 51000")],
 [("SYSLOG_IDENTIFIER", "CRON"), ("_PID", "31003"), ("_UID", "0"),
  ("_COMM", "cron"),
  ("MESSAGE", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")],
 [("SYSLOG_IDENTIFIER", "sshd"), ("_PID", "31004"), ("_UID", "1000"),
  ("_COMM", "logger"),
  ("MESSAGE", "Failed password for root from 192.0.2.66 port 22 ssh2")],
 [("_PID", "31005"), ("_UID", "0"), ("_COMM", "sshd"), ("NOSOURCE", ""),
  ("MESSAGE", "Invalid user guest from 2001:db8::5 port 50505")],
 [("SYSLOG_IDENTIFIER", "sshd-session"), ("_PID", "31001"), ("_UID", "0"),
  ("_COMM", "sshd-session"),
  ("MESSAGE", "Connection closed by authenticating user root 203.0.113.7 port 40022 [preauth]")],
]
out = sys.stdout.buffer
for i, e in enumerate(entries):
    rt = base + i * 1000000 + 500
    src = base + i * 1000000 + 123
    mono = 4200000000 + i * 1000000
    def f(k, v):
        if isinstance(v, bytes):
            out.write(k.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n")
        else:
            out.write(("%s=%s\n" % (k, v)).encode())
    f("__REALTIME_TIMESTAMP", rt)
    f("__MONOTONIC_TIMESTAMP", mono)
    f("_BOOT_ID", BOOT)
    f("_MACHINE_ID", MACH)
    f("_HOSTNAME", "vm")
    f("_TRANSPORT", "syslog")
    f("PRIORITY", "6")
    nosource = False
    for k, v in e:
        if k == "NOSOURCE":
            nosource = True
            continue
        f(k, v)
    if not nosource:
        f("_SOURCE_REALTIME_TIMESTAMP", src)
    out.write(b"\n")
