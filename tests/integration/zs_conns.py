#!/usr/bin/env python3
"""Opens N TCP connections to an echo server at once, sends a distinct line on
each and checks that every one comes back. Prints one summary line; exits 0
only if all N connections echoed their own line within the time limit."""
import argparse
import errno
import resource
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("-n", type=int, default=1000, help="connections (default 1000)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds for all of it")
    args = ap.parse_args()

    need = args.n + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, max(hard, need)))

    sel = selectors.DefaultSelector()
    state = {}
    for i in range(args.n):
        s = socket.socket()
        s.setblocking(False)
        rc = s.connect_ex((args.addr, args.port))
        if rc not in (0, errno.EINPROGRESS):
            print(f"connection {i}: connect failed: {errno.errorcode.get(rc, rc)}")
            return 1
        line = f"line {i} of {args.n}\n".encode()
        state[s] = {"line": line, "sent": 0, "got": b""}
        sel.register(s, selectors.EVENT_WRITE)

    deadline = time.monotonic() + args.timeout
    echoed = failed = 0
    while state and time.monotonic() < deadline:
        for key, mask in sel.select(timeout=0.5):
            s, st = key.fileobj, state[key.fileobj]
            try:
                if mask & selectors.EVENT_WRITE:
                    st["sent"] += s.send(st["line"][st["sent"]:])
                    if st["sent"] == len(st["line"]):
                        sel.modify(s, selectors.EVENT_READ)
                    continue
                data = s.recv(4096)
            except OSError as e:
                data, err = None, e
            if data:
                st["got"] += data
                if len(st["got"]) < len(st["line"]):
                    continue
            if data and st["got"] == st["line"]:
                echoed += 1
            else:
                failed += 1
                if failed <= 3:
                    why = err if data is None else f"got {st['got'][:40]!r}"
                    print(f"# a connection failed: {why}")
            sel.unregister(s)
            s.close()
            del state[s]
    print(f"{echoed} of {args.n} connections echoed their line; {failed} failed, "
          f"{len(state)} unfinished")
    return 0 if echoed == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
