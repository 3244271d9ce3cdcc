#!/usr/bin/env python3
"""Write the seed corpus of tests/fuzz/fuzz-strace.c (the syscall argument printer) into DIR: calls a container
makes, with the register values and memory they have (x86-64 numbers), in the target's input layout: nr (2 bytes
LE), 6 arguments (8 bytes LE each), result (8 bytes LE, signed), flags (bit 0: continued natively), memory mapped at
MEM_BASE. Usage: tests/fuzz/gen-strace.py tests/fuzz/corpus/strace"""
import os
import struct
import sys

MEM_BASE = 0x7F0000001000
AT_FDCWD = -100 & 0xFFFFFFFFFFFFFFFF


def seed(name, nr, args, result=0, continued=False, memory=b""):
    args = list(args) + [0] * (6 - len(args))
    data = struct.pack("<H6Qqb", nr, *args, result, 1 if continued else 0) + memory
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(data)


P = MEM_BASE
seed("openat-passwd", 257, [AT_FDCWD, P, 0o2000000, 0], 3, memory=b"/etc/passwd\0")
seed("openat-enoent", 257, [AT_FDCWD, P, 0o101, 0o644], -2, memory=b"/nonexistent/file\0")
seed("open-native", 2, [P, 0], 0, continued=True, memory=b"/proc/self/status\0")
seed("execve-sh", 59, [P, P + 16, P + 32], 0, continued=True, memory=b"/bin/sh\0" + b"\0" * 8 + b"\0" * 16)
seed("mount-refused", 165, [P, P + 8, P + 16, 0, 0], -1, memory=b"none\0\0\0\0/mnt\0\0\0\0tmpfs\0")
seed("swapon-refused", 167, [P, 0], -1, memory=b"/swapfile\0")
seed("umount2", 166, [P, 2], -22, memory=b"/proc\0")
seed("mkdirat-newline", 258, [AT_FDCWD, P, 0o755], -13, memory=b"evil\nstrace: fake line\0")
seed("unlink-escapes", 87, [P], -2, memory=b'a"b\\c\x01\x7f\xff\0')
seed("chdir-long", 80, [P], -36, memory=b"/" + b"x" * 300)
seed("stat-fault", 4, [0xDEADBEEF000, P], -14)
seed("socket-packet", 41, [17, 3, 0x300], -1)
seed("socket-inet", 41, [2, 1, 0], 3, continued=True)
seed("ioctl-tiocsti", 16, [0, 0x5412, P], -1, memory=b"x")
seed("prctl-set-mm", 157, [35, 1, 0], -1)
seed("clone-newns", 56, [0x00020000 | 17, 0, 0, 0, 0], -1)
seed("unshare-newuser", 272, [0x10000000], 0)
seed("setsockopt", 54, [3, 0, 64, P, 4], -92, memory=b"\0\0\0\0")
seed("mknodat-block", 259, [AT_FDCWD, P, 0o60600, 0x801], -1, memory=b"/dev/sda1\0")
seed("settimeofday", 164, [P, 0], -1, memory=struct.pack("<qq", 0, 2000000))
seed("clock-settime", 227, [0, P], -1, memory=struct.pack("<qq", 1, 1000000000))
seed("add-key", 248, [P, P + 8, 0, 0, 0xFFFFFFFD], -1, memory=b"user\0\0\0\0desc\0")
seed("keyctl", 250, [0, 0xFFFFFFFD], -1)
seed("socketpair-inet", 53, [2, 1, 0, P], -95, memory=b"\0" * 8)
seed("unknown-number", 520, [1, 2, 3, 4, 5, 6], -38)
seed("answered", 257, [AT_FDCWD, P, 0], -(1 << 63), memory=b"/dev/null\0")
