"""Ports for the servers the tests start (gunicorn, nginx, PostgreSQL, SMTP, S3)."""

import random
import socket

# The kernel hands out ports for "port 0" and for outgoing connections from its ephemeral range
# (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default). A port taken from there and
# closed again can be given to someone else before our server binds it; one below it cannot.
LOW, HIGH = 10000, 30000


def free_port(host="127.0.0.1"):
    """A port below the ephemeral range that nothing listens on now, so it stays free for the server."""
    for _ in range(200):
        port = random.randint(LOW, HIGH)  # noqa: S311 - not a secret
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {LOW} and {HIGH}")
