"""Tries to open network connections (loopback and outside); prints what happened."""
import socket

for address in (("127.0.0.1", 9), ("1.1.1.1", 53)):
    try:
        socket.create_connection(address, timeout=1)
        print("CONNECTED", address)
    except OSError as err:
        print("NO NETWORK", address, type(err).__name__)


def fit_line(x, y):
    return 0.0, float(sum(y) / len(y))


def predict(x, slope, intercept):
    return slope * x + intercept
