"""Writes a small synthetic Fashion-MNIST-shaped data set (gzip'd IDX files)
to the directory given: 28 x 28 noise images whose label is the band of rows
that is brightest, so a network learns it in one epoch."""
import gzip
import os
import random
import struct
import sys


def write_split(directory, prefix, count, rng):
    images, labels = bytearray(), bytearray()
    band_rows = 28 // 10 + 1
    for _ in range(count):
        label = rng.randrange(10)
        labels.append(label)
        for p in range(784):
            in_band = p // 28 // band_rows == label
            images.append(rng.randrange(256 if in_band else 96))
    with gzip.open(os.path.join(directory, prefix + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, 28, 28) + bytes(images))
    with gzip.open(os.path.join(directory, prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, count) + bytes(labels))


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(0)
    write_split(directory, "train", 1000, rng)
    write_split(directory, "t10k", 200, rng)


if __name__ == "__main__":
    main()
