#!/usr/bin/env python3
"""cut-proxy.py: a loopback TCP proxy that cuts connections, for the sync fault tests.

    cut-proxy.py PORT_FILE TARGET_PORT CONTROL_FILE LIFETIME

Listens on 127.0.0.1 at a free port (written to PORT_FILE once listening) and
forwards every connection to 127.0.0.1:TARGET_PORT.  For each new connection
it reads CONTROL_FILE: a number N means "cut this connection after N bytes
have passed, counting both directions" (the cut is a reset, as when a cable
is pulled or a mobile network drops); "freeze N" passes N bytes and then
nothing more either way while keeping the connection open (a hung server,
or a link that died without a reset); "trickle" lets everything through,
64 bytes at a time every 50 ms each way (a slow link that keeps
moving); an empty or missing file lets the connection through whole.  Each connection's fate and byte count are
appended to PORT_FILE.log.  It only ever talks to 127.0.0.1 and exits by
itself after LIFETIME seconds.
"""
import os
import selectors
import socket
import struct
import sys
import threading
import time

port_file, target_port, control, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
log_lock = threading.Lock()


def note(text):
    with log_lock:
        with open(port_file + ".log", "a") as f:
            f.write(text + "\n")


def reset(sock):
    """Close with a TCP reset, not an orderly end."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def serve(client, limit, mode):
    try:
        server = socket.create_connection(("127.0.0.1", target_port), timeout=10)
    except OSError as e:
        note("connect failed: %s" % e)
        client.close()
        return
    server.settimeout(None)
    client.settimeout(None)
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, server)
    sel.register(server, selectors.EVENT_READ, client)
    passed = 0
    cut = False
    frozen = False
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            events = sel.select(timeout=1)
            done = False
            for key, _ in events:
                src, dst = key.fileobj, key.data
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if not data and frozen and src is server:
                    sel.unregister(server)   # a hung link: the client hears nothing of it
                    continue
                if not data:
                    done = True
                    break
                if frozen:
                    continue
                if mode == "freeze" and passed + len(data) >= limit:
                    data = data[: max(0, limit - passed)]
                    frozen = True
                    note("frozen after %d bytes" % (passed + len(data)))
                elif limit is not None and mode == "cut" and passed + len(data) >= limit:
                    data = data[: max(0, limit - passed)]
                    cut = True
                try:
                    if data and mode == "trickle":
                        for i in range(0, len(data), 64):
                            dst.sendall(data[i:i + 64])
                            time.sleep(0.05)
                    elif data:
                        dst.sendall(data)
                except OSError:
                    done = True
                    break
                passed += len(data)
                if cut:
                    done = True
                    break
            if done:
                break
    finally:
        sel.close()
        if cut:
            reset(client)
            reset(server)
        else:
            client.close()
            server.close()
        note("%s after %d bytes" % ("cut" if cut else "whole", passed))


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(1)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(tmp, port_file)
    end = time.time() + lifetime
    while time.time() < end:
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        limit = None
        mode = "cut"
        try:
            with open(control) as f:
                words = f.read().split()
            if words and words[0] == "freeze":
                mode, limit = "freeze", int(words[1])
            elif words and words[0] == "trickle":
                mode = "trickle"
            elif words:
                limit = int(words[0])
        except (OSError, ValueError, IndexError):
            mode, limit = "cut", None
        threading.Thread(target=serve, args=(client, limit, mode), daemon=True).start()
    listener.close()


main()
