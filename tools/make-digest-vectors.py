#!/usr/bin/env python3
"""Writes fixtures/digests/vectors.json: the hex digest of each seed algorithm, computed by
Python's hashlib and zlib, for files of several sizes around the default block size.
The bytes follow (i * 31 + 7) % 251, which packages/core/test/util/tree.ts reproduces."""
import hashlib, json, os, zlib

BLOCK = 2 ** 18
SIZES = {"empty": 0, "one-byte": 1, "one-block": BLOCK, "one-block-plus-one": BLOCK + 1, "several-mb": 5 * 2 ** 20 + 12345}
ALGOS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s",
         "sha3_224", "sha3_256", "sha3_384", "sha3_512", "crc32", "adler32"]

def data(n):
    return bytes((i * 31 + 7) % 251 for i in range(n))

def digest(name, b):
    if name == "crc32":
        return "%08x" % (zlib.crc32(b) & 0xFFFFFFFF)
    if name == "adler32":
        return "%08x" % (zlib.adler32(b) & 0xFFFFFFFF)
    return hashlib.new(name, b).hexdigest()

out = {"blockSize": BLOCK, "formula": "(i * 31 + 7) % 251", "files": {}}
for label, n in SIZES.items():
    b = data(n)
    out["files"][label] = {"size": n, "digests": {a: digest(a, b) for a in ALGOS}}
path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "digests", "vectors.json")
with open(path, "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print("wrote", os.path.normpath(path))
