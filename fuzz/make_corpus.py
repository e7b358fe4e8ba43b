#!/usr/bin/env python3
"""make_corpus.py - seeds for the inflate, gzip, zlib, IDX and safetensors fuzz targets
(fuzz/targets.h), written into fuzz/corpus/<target>/: a few real files and the edge cases each
format allows (stored, fixed and dynamic Huffman blocks, every gzip header field, several
members, zero padding, empty data, scalars, escapes). Run from the project root (`make
fuzz-corpus` runs it, then fuzz/make_corpus.cpp for the checkpoint, config and flags seeds).
Standard library only; the output is the same on every run (gzip mtime 0)."""
import gzip, json, os, struct, zlib

ROOT = "fuzz/corpus"
SUBSET = "datasets/fashion-mnist-subset"


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def raw(data, level=9, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def gz_member(data, flags=0, extra=b"", name=b"", comment=b"", level=9):
    h = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff")
    if flags & 4:
        h += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        h += name + b"\0"
    if flags & 16:
        h += comment + b"\0"
    if flags & 2:
        h += struct.pack("<H", zlib.crc32(bytes(h)) & 0xFFFF)
    return bytes(h) + raw(data, level) + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


text = b"the quick brown fox jumps over the lazy dog; " * 6
binary = bytes((i * 7 + (i >> 3)) & 0xFF for i in range(300))
runs = b"a" * 600 + b"ab" * 100 + bytes(range(256))

# raw DEFLATE: stored, fixed Huffman (short input), dynamic Huffman, long matches, empty.
put("inflate_raw", "empty", raw(b""))
put("inflate_raw", "stored", raw(binary, 0))
put("inflate_raw", "fixed", raw(b"abcabcabcabc hello", 9, zlib.Z_FIXED))
put("inflate_raw", "dynamic", raw(text))
put("inflate_raw", "runs", raw(runs, 9, zlib.Z_RLE))
put("inflate_raw", "huffman-only", raw(binary, 9, zlib.Z_HUFFMAN_ONLY))

# gzip: the real (small) labels file, every header field, two members, zero padding, empty data.
with open(os.path.join(SUBSET, "t10k-labels-idx1-ubyte.gz"), "rb") as f:
    put("gunzip", "t10k-labels-idx1-ubyte.gz", f.read())
put("gunzip", "plain", gzip.compress(text, 9, mtime=0))
put("gunzip", "all-fields", gz_member(binary, 2 | 4 | 8 | 16, b"AB\x02\0xy", b"name.bin", b"a comment"))
put("gunzip", "two-members", gz_member(b"first ") + gz_member(runs, 8, name=b"second"))
put("gunzip", "padded", gz_member(text, level=1) + b"\0" * 8)
put("gunzip", "empty", gz_member(b""))
put("gunzip", "stored", gz_member(binary, level=0))

# zlib: levels 0 (stored), 1 and 9, empty, and a window smaller than 32K.
put("zlib", "stored", zlib.compress(binary, 0))
put("zlib", "fast", zlib.compress(text, 1))
put("zlib", "best", zlib.compress(runs, 9))
put("zlib", "empty", zlib.compress(b"", 6))
c = zlib.compressobj(9, zlib.DEFLATED, 9)
put("zlib", "window-512", c.compress(text) + c.flush())


# IDX: a few real images and labels from the shipped subset, an empty set, odd sizes.
def idx(magic, sizes, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", s) for s in sizes) + data


with gzip.open(os.path.join(SUBSET, "t10k-images-idx3-ubyte.gz"), "rb") as f:
    f.read(16)
    three = f.read(3 * 28 * 28)
with gzip.open(os.path.join(SUBSET, "t10k-labels-idx1-ubyte.gz"), "rb") as f:
    f.read(8)
    labels = f.read(40)
put("idx_images", "real-3", idx(0x803, [3, 28, 28], three))
put("idx_images", "empty", idx(0x803, [0, 28, 28], b""))
put("idx_images", "1x3x2", idx(0x803, [1, 3, 2], bytes([0, 255, 1, 2, 128, 7])))
put("idx_labels", "real-40", idx(0x801, [40], labels))
put("idx_labels", "empty", idx(0x801, [0], b""))
put("idx_labels", "one", idx(0x801, [1], b"\x09"))


# safetensors: the reference layout (header padded with spaces to a multiple of 8).
def st(tensors, meta=None):
    header, buf = {}, b""
    if meta is not None:
        header["__metadata__"] = meta
    for name, shape, floats in tensors:
        data = struct.pack("<%df" % len(floats), *floats)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(buf), len(buf) + len(data)]}
        buf += data
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return h, buf


def st_file(tensors, meta=None):
    h, buf = st(tensors, meta)
    return struct.pack("<Q", len(h)) + h + buf


def st_header(tensors, meta=None):  # the safetensors_header target: buffer length, then JSON
    h, buf = st(tensors, meta)
    return struct.pack("<H", len(buf)) + h


cases = {
    "two": ([("w", [2, 3], [0.5, -1, 2, 3.25, 1e-30, -0.0]), ("b", [3], [1, 2, 3])], {"format": "x", "step": "12"}),
    "scalar": ([("s", [], [3.5])], None),
    "empty-tensor": ([("e", [0, 4], []), ("v", [1], [float("inf")])], {}),
    "escapes": ([("n\u00e9\\\"\n\u2603", [2], [1, 2])], {"k\ty": "v\u0001\ud83d\ude00"}),
    "meta-only": ([], {"config": "model = vae\nlatent = 2\n", "rng": "1 2 0 0"}),
}
for name, (tensors, meta) in cases.items():
    put("safetensors", name, st_file(tensors, meta))
    put("safetensors_header", name, st_header(tensors, meta))
# JSON the writer never makes: whitespace, unknown values skipped, \u escapes, nesting.
put("safetensors_header", "spaces", struct.pack("<H", 8) +
    b' { "__metadata__" : { "a" : "b" } , "t" : { "shape" : [ 2 ] , "dtype" : "F32" , "data_offsets" : [ 0 , 8 ] } } ')
put("safetensors_header", "skipped", struct.pack("<H", 0) +
    b'{"__metadata__":{"\\u0041":"\\ud83d\\ude00"},"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0],'
    b'"extra":[1,-2.5e3,true,false,null,{"n":[[{}]]}]}}')
print("make_corpus.py: wrote the inflate, gzip, zlib, IDX and safetensors seeds")
