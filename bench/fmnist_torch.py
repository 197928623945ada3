#!/usr/bin/python3
"""fmnist's MLP trained by PyTorch on the CPU: the reference for fmnist_vs_torch.sh.

The same network (784-256-128-10, the activation named by --act from torch.nn,
nn.Linear's default initialisation), optimiser (Adam, lr 1e-3), batch (128),
data (the IDX files fmnist reads, pixels scaled to [0, 1]) and thread count as
`fmnist train`, with fmnist's output: one line per epoch, then the last line
`test_accuracy=A test_loss=L train_seconds=S` (training time only, as fmnist
counts it). Run with Debian's python3 (its python3-torch is 1.13).
"""
import argparse
import gzip
import os
import struct
import sys
import time

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049  # The IDX headers of uint8 images, labels.
IMAGE_PIXELS, CLASSES = 28 * 28, 10  # Fashion-MNIST's.
EVAL_BATCH = 1000  # Evaluation batch; it does not change the results.

# std.act activations whose torch.nn module needs arguments, or whose name is
# not the module's: the values are std.act's defaults.
SPECIAL_ACTIVATIONS = {
    "gelu_tanh": lambda nn: nn.GELU(approximate="tanh"),
    "threshold": lambda nn: nn.Threshold(0.0, 0.0),
}


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--act", default="relu", help="activation (std.act name)")
    parser.add_argument("--hidden", default="256,128", help="hidden widths")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="CPU threads (default: all available)")
    parser.add_argument("--data", default=os.environ.get("FMNIST_DATA", DEFAULT_DATA),
                        help="directory of the IDX files (default: $FMNIST_DATA, "
                             f"else {DEFAULT_DATA})")
    args = parser.parse_args()
    try:
        args.hidden = [int(width) for width in args.hidden.split(",")]
    except ValueError:
        parser.error(f"--hidden: expected widths like 256,128, got '{args.hidden}'")
    for name in ("epochs", "batch", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if any(width < 1 for width in args.hidden):
        parser.error("--hidden: every width must be at least 1")
    return args


def read_idx(directory, name, magic):
    """The payload of DIR/NAME.gz or DIR/NAME, after checking its header."""
    candidates = [os.path.join(directory, name + ".gz"), os.path.join(directory, name)]
    path = next((p for p in candidates if os.path.exists(p)), None)
    if path is None:
        fail(f"{candidates[0]}: no such file (install dataset-fashion-mnist, "
             "or pass --data DIR or set FMNIST_DATA)")
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:
        fail(f"{path}: {error}")
    dims = 3 if magic == IMAGE_MAGIC else 1
    header = 4 * (1 + dims)
    if len(data) < header or struct.unpack(">I", data[:4])[0] != magic:
        fail(f"{path}: not an IDX file of {'images' if dims == 3 else 'labels'}")
    shape = struct.unpack(f">{dims}I", data[4:header])
    count = 1
    for size in shape:
        count *= size
    if len(data) != header + count:
        fail(f"{path}: {len(data) - header} bytes of data, the header says {count}")
    return shape, data[header:]


def load(directory, prefix, torch):
    """Images as float rows scaled to [0, 1], and labels as int64."""
    shape, pixels = read_idx(directory, f"{prefix}-images-idx3-ubyte", IMAGE_MAGIC)
    (count,), labels = read_idx(directory, f"{prefix}-labels-idx1-ubyte", LABEL_MAGIC)
    if shape[0] != count or shape[1] * shape[2] != IMAGE_PIXELS:
        fail(f"{directory}: {prefix} holds {shape[0]} images of {shape[1]}x{shape[2]} "
             f"and {count} labels, not images of 28x28 with one label each")
    images = torch.frombuffer(bytearray(pixels), dtype=torch.uint8)
    images = images.reshape(count, IMAGE_PIXELS).float() / 255
    return images, torch.frombuffer(bytearray(labels), dtype=torch.uint8).long()


def activation(name, nn):
    if name in SPECIAL_ACTIVATIONS:
        return SPECIAL_ACTIVATIONS[name](nn)
    modules = nn.modules.activation
    wanted = name.replace("_", "").lower()
    for attribute in dir(modules):
        candidate = getattr(modules, attribute)
        if (attribute.lower() == wanted and isinstance(candidate, type)
                and issubclass(candidate, nn.Module)):
            return candidate()
    fail(f"unknown activation '{name}': torch.nn has no such module")


def evaluate(model, images, labels, torch):
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for first in range(0, len(labels), EVAL_BATCH):
            logits = model(images[first:first + EVAL_BATCH])
            batch_labels = labels[first:first + EVAL_BATCH]
            loss_sum += torch.nn.functional.cross_entropy(
                logits, batch_labels, reduction="sum").item()
            correct += (logits.argmax(1) == batch_labels).sum().item()
    return loss_sum / len(labels), correct / len(labels)


def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        fail("PyTorch is not installed for this python: run "
             "scripts/install-deps.sh python3-torch and use /usr/bin/python3")
    nn = torch.nn
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    widths = [IMAGE_PIXELS] + args.hidden
    layers = []
    for inputs, outputs in zip(widths, widths[1:]):
        layers += [nn.Linear(inputs, outputs), activation(args.act, nn)]
    model = nn.Sequential(*layers, nn.Linear(widths[-1], CLASSES))
    optimizer = (torch.optim.Adam if args.optimizer == "adam" else torch.optim.SGD)(
        model.parameters(), lr=args.lr)
    train_images, train_labels = load(args.data, "train", torch)
    test_images, test_labels = load(args.data, "t10k", torch)
    order_generator = torch.Generator().manual_seed(args.seed)

    train_seconds = 0.0
    count = len(train_labels)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(count, generator=order_generator)
        start = time.perf_counter()
        loss_sum, correct = 0.0, 0
        model.train()
        for first in range(0, count, args.batch):
            indices = order[first:first + args.batch]
            images, labels = train_images[indices], train_labels[indices]
            logits = model(images)
            loss = nn.functional.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
        seconds = time.perf_counter() - start
        train_seconds += seconds
        model.eval()
        test_loss, test_accuracy = evaluate(model, test_images, test_labels, torch)
        print(f"epoch {epoch}/{args.epochs} train_loss={loss_sum / count:.4f} "
              f"train_accuracy={correct / count:.4f} test_loss={test_loss:.4f} "
              f"test_accuracy={test_accuracy:.4f} seconds={seconds:.2f}", flush=True)
    print(f"test_accuracy={test_accuracy:.4f} test_loss={test_loss:.4f} "
          f"train_seconds={train_seconds:.2f}")


if __name__ == "__main__":
    main()
