#!/usr/bin/env python3
"""The peer of `pnpm bench`'s adler32 row: what the original Equilybrium (Python) does for
each file of a first run, as a plain loop: open unbuffered, read into one 2**18 bytearray,
zlib.adler32 of each block chained from 1, and the file's size (its database keeps it).
Prints how many files and bytes, and the xor of the digests (to check one run against
another).

usage: bench-adler32.py DIR
"""
import os
import sys
import zlib

BLOCK = 2 ** 18


def adler32_file(path, view):
    digest = 1
    with open(path, "rb", buffering=0) as f:
        for n in iter(lambda: f.readinto(view), 0):
            digest = zlib.adler32(view[:n], digest)
    return digest


def main(root):
    view = memoryview(bytearray(BLOCK))
    files = size = xor = 0
    for folder, _subfolders, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            xor ^= adler32_file(path, view)
            size += os.path.getsize(path)
            files += 1
    print("%d files, %d bytes, xor of digests %08x" % (files, size, xor))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
