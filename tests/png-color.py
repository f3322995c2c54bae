#!/usr/bin/env python3
# png-color.py FILE RRGGBB: print how many pixels of a PNG (8-bit RGB or
# RGBA, not interlaced) have exactly that colour.  Used to check that a
# screenshot shows the bars of a chart, without an imaging library.
import struct
import sys
import zlib


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG: " + path)
    i, idat, width, height, bpp = 8, b"", 0, 0, 0
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        chunk = data[i + 8:i + 8 + size]
        i += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit("unsupported PNG layout")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield bytes(line), bpp
        prev = line


want = bytes.fromhex(sys.argv[2])
print(sum(1 for line, bpp in rows(sys.argv[1])
          for x in range(0, len(line), bpp) if line[x:x + 3] == want))
