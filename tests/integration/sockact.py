#!/usr/bin/python3
# sockact.py: socket activation as systemd does it, for feedmux's tests.
# Binds and listens on 127.0.0.1 at an ephemeral port, writes the port to
# PORTFILE, then execs COMMAND with the socket as descriptor 3 and
# LISTEN_FDS=1, LISTEN_PID set to its own pid (exec keeps the pid).
#
#   sockact.py PORTFILE COMMAND [ARGS...]
import os
import socket
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: sockact.py PORTFILE COMMAND [ARGS...]\n")
        return 2
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    if s.fileno() != 3:
        os.dup2(s.fileno(), 3)
        s.close()
    os.set_inheritable(3, True)
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDNAMES"] = "http"
    os.execvp(sys.argv[2], sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
