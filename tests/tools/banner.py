#!/usr/bin/python3
"""banner.py png|jpeg W H OUT: writes an image of W x H pixels for the banner tests
(R-CPN-8). The PNG is a real one (a two-colour gradient, zlib-compressed), so a browser
shows it; the JPEG is a baseline JPEG's markers up to its frame header (SOF0), enough for
a reader that takes the size from the header, not a picture."""
import struct
import sys
import zlib


def png(w, h):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = bytearray()
    for y in range(h):
        rows.append(0)  # filter: none
        for x in range(w):
            rows += bytes((200, 40 + (x * 160) // max(w, 1), 60 + (y * 120) // max(h, 1)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def jpeg(w, h):
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = struct.pack(">BHHB", 8, h, w, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 +
            b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9")


def main():
    kind, w, h, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(out, "wb") as f:
        f.write(png(w, h) if kind == "png" else jpeg(w, h))


if __name__ == "__main__":
    main()
