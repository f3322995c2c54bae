#!/usr/bin/env python3
"""A hostile git:// server for the push's tests: one connection on
127.0.0.1:PORT, answered as MODE says, then it exits.  It never serves a
real repository; it stops by itself after 30 seconds whatever happens.

Modes:
  truncated  a packet whose length promises more than is sent, then close
  zzzz       a packet length that is not hexadecimal
  huge       a packet length over git's limit (ffff)
  longname   a valid 65,520-byte packet: a reference name of 65 kB
  endless    references without end
  silence    reads the request, says nothing, closes
  ng         a good advertisement, reads the push, answers "ng" for the ref
  fatal      a good advertisement with side-band-64k, reads the push,
             "unpack ok" then side-band 3 (fatal) in the middle of the report
  unpackerr  a good advertisement, reads the push, "unpack" fails
  noreport   a good advertisement, reads the push, a report naming no ref
"""
import signal
import socket
import sys
import zlib

ZERO = b"0" * 40


def pkt(data):
    return b"%04x" % (len(data) + 4) + data


def read_exact(conn, n):
    out = b""
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


def read_pkt(conn):
    n = int(read_exact(conn, 4), 16)
    return b"" if n == 0 else read_exact(conn, n - 4)


class Reader:
    """Bytes of the connection, with what was read but not used kept."""

    def __init__(self, conn):
        self.conn, self.buf = conn, b""

    def take(self, n):
        while len(self.buf) < n:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def inflate(self):
        """One zlib stream: read until it ends, keep what follows."""
        d = zlib.decompressobj()
        while True:
            if not self.buf:
                self.buf = self.conn.recv(65536)
                if not self.buf:
                    raise EOFError
            d.decompress(self.buf)
            if d.eof:
                self.buf = d.unused_data
                return
            self.buf = b""


def read_push(conn):
    """The commands up to their flush, then the whole pack (parsed to its end)."""
    r = Reader(conn)
    while True:
        n = int(r.take(4), 16)
        if n == 0:
            break
        r.take(n - 4)
    head = r.take(12)
    assert head[:4] == b"PACK", head
    count = int.from_bytes(head[8:12], "big")
    for _ in range(count):
        c = r.take(1)[0]
        kind = (c >> 4) & 7
        while c & 0x80:
            c = r.take(1)[0]
        if kind == 6:  # ofs-delta: a varint offset
            c = r.take(1)[0]
            while c & 0x80:
                c = r.take(1)[0]
        elif kind == 7:  # ref-delta: the base's id
            r.take(20)
        r.inflate()
    r.take(20)


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    signal.alarm(30)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    conn, _ = s.accept()
    try:
        read_pkt(conn)  # git-receive-pack /path\0host=...\0
        caps = b"report-status"
        if mode == "fatal":
            caps += b" side-band-64k"
        advert = pkt(ZERO + b" capabilities^{}\0" + caps + b"\n") + b"0000"
        if mode == "truncated":
            conn.sendall(b"0100" + b"a" * 20)
        elif mode == "zzzz":
            conn.sendall(b"zzzz" + b"a" * 40)
        elif mode == "huge":
            conn.sendall(b"ffff" + b"a" * 100)
        elif mode == "longname":
            line = b"1" * 40 + b" refs/heads/" + b"x" * (65516 - 52)
            conn.sendall(pkt(line) + b"0000")
            conn.recv(1)
        elif mode == "endless":
            i = 0
            first = pkt(b"1" * 40 + b" refs/heads/main\0report-status\n")
            conn.sendall(first)
            while True:
                conn.sendall(b"".join(pkt(b"2" * 40 + b" refs/heads/devices/d%07d\n" % (i + j))
                                      for j in range(1000)))
                i += 1000
        elif mode == "silence":
            pass
        else:
            conn.sendall(advert)
            read_push(conn)
            if mode == "ng":
                conn.sendall(pkt(b"unpack ok\n") +
                             pkt(b"ng refs/heads/devices/d1 the hook said no\n") + b"0000")
            elif mode == "fatal":
                inner = pkt(b"unpack ok\n")
                conn.sendall(pkt(b"\1" + inner) + pkt(b"\3the disk of the server is full\n"))
            elif mode == "unpackerr":
                conn.sendall(pkt(b"unpack index-pack abnormal exit\n") +
                             pkt(b"ng refs/heads/devices/d1 unpacker error\n") + b"0000")
            elif mode == "noreport":
                conn.sendall(pkt(b"unpack ok\n") + pkt(b"ok refs/heads/other\n") + b"0000")
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass
    conn.close()
    s.close()


if __name__ == "__main__":
    main()
