#!/usr/bin/python3
# notify-recv.py: a stand-in for systemd's end of the notify protocol, for
# feedmux's tests.  Binds a datagram socket at PATH (a file path, or
# "@name" for an abstract socket) and appends every message received to
# OUT: its fields one per line, then a line "--".  Exits on SIGTERM, or
# after LIFETIME seconds (default 60) so a broken test never leaves it.
import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: notify-recv.py PATH OUT [LIFETIME]\n")
        return 2
    path, out = sys.argv[1], sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + path[1:] if path.startswith("@") else path)
    # Ready to receive: the test waits for this file before starting.
    with open(out + ".ready", "w") as f:
        f.write("ready\n")
    end = time.monotonic() + lifetime
    with open(out, "a") as f:
        while time.monotonic() < end:
            s.settimeout(max(0.1, end - time.monotonic()))
            try:
                msg = s.recv(4096)
            except socket.timeout:
                continue
            text = msg.decode("utf-8", "replace")
            for field in text.split("\n"):
                if field:
                    f.write(field + "\n")
            f.write("--\n")
            f.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
