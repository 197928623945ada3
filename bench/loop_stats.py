#!/usr/bin/env python3
"""Instructions per element in the inner loop of actc's elementwise kernels.

Usage: bench/loop_stats.py [--actc build/bin/actc] [--target host]
                           [--file dsl/std.act] [ACT...]

For each activation (default: all in the file) and kernel (forward,
backward), compiles it with `actc --emit=asm`, finds the vectorised inner loop
of the parallel task (the unguarded one: full vectors, no tail masks) and
counts its instructions. Elements per iteration are the 64-byte (zmm), 32-byte
(ymm) or 16-byte (xmm) stores to the output, counted from the loop itself.
Prints a Markdown table: instructions per element, and of them the spill
traffic (loads and stores at %rsp), FMAs, divisions and square roots, and the
vector width. Static counts: what the core must issue per element, which with
the measured ns/element gives the instructions per cycle achieved.

With --mcpu=CPU (e.g. znver3, skylake-avx512), also LLVM's machine-code
analyser's estimate (llvm-mca) of the loop's cycles per element in steady
state on that core: its reciprocal throughput, which does not depend on the
machine's load as timings on a shared machine do.
"""
import argparse
import re
import shutil
import subprocess
import sys

VECTOR_BYTES = {"zmm": 64, "ymm": 32, "xmm": 16}


def activations(path):
    with open(path) as f:
        return [m.group(1) for m in re.finditer(r"^act\s+(\w+)", f.read(), re.M)]


def assembly(actc, path, act, kernel, target):
    result = subprocess.run(
        [actc, path, "--emit=asm", f"--act={act}", f"--kernels={kernel}",
         f"--target={target}"],
        capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"loop_stats: actc failed for {act} {kernel}: {result.stderr.strip()}")
    return result.stdout.splitlines()


def function_body(lines, prefix):
    """The lines of the first function whose label starts with prefix."""
    label = re.compile(re.escape(prefix) + r"\w*:")
    start = next((i for i, l in enumerate(lines) if label.match(l)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].lstrip().startswith(".Lfunc_end")), len(lines))
    return lines[start:end]


def first_inner_loop(body):
    """Instructions from the first loop header to its back edge."""
    for i, line in enumerate(body):
        if "Inner Loop Header" not in line:
            continue
        label = body[i - 1].split(":")[0].strip()
        loop = []
        for l in body[i:]:
            text = l.split("#")[0].strip()
            if not text or text.startswith(".") or text.endswith(":"):
                continue
            loop.append(text)
            if re.match(r"j\w+\s+" + re.escape(label) + r"$", text):
                return loop
    return None


def stats(loop):
    mnemonic = [l.split()[0] for l in loop]
    # Output stores: a vector register stored to memory not on the stack.
    stores = [l for l in loop
              if re.match(r"vmov\w*\s+%([xyz]mm)\d+, .*\(%r(?!sp)", l)]
    if not stores:
        return None
    width = re.match(r"vmov\w*\s+%([xyz]mm)", stores[0]).group(1)
    elements = sum(VECTOR_BYTES[re.match(r"vmov\w*\s+%([xyz]mm)", s).group(1)]
                   for s in stores) // 4
    spills = sum(1 for l in loop if "(%rsp)" in l)
    fma = sum(1 for m in mnemonic if re.match(r"vf(n?)m(add|sub)", m))
    div = sum(1 for m in mnemonic if m.startswith(("vdiv", "vsqrt", "vrcp")))
    return {
        "elements": elements,
        "instructions": len(loop) / elements,
        "spills": spills / elements,
        "fma": fma / elements,
        "div": div / elements,
        "width": width,
    }


def mca_cycles(loop, mcpu, elements):
    """llvm-mca's steady-state cycles per element of the loop on `mcpu`."""
    tool = shutil.which("llvm-mca-14") or shutil.which("llvm-mca")
    if tool is None:
        sys.exit("loop_stats: --mcpu needs llvm-mca (llvm-14)")
    # The loop's branches are dropped: llvm-mca models a straight block
    # repeated, which is the loop's steady state.
    body = "\n".join(l for l in loop if not re.match(r"j\w+\s", l)) + "\n"
    result = subprocess.run([tool, f"-mcpu={mcpu}", "-iterations=200"],
                            input=body, capture_output=True, text=True)
    match = re.search(r"Block RThroughput:\s*([\d.]+)", result.stdout)
    if result.returncode != 0 or not match:
        sys.exit(f"loop_stats: llvm-mca failed: {result.stderr.strip()}")
    return float(match.group(1)) / elements


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actc", default="build/bin/actc")
    parser.add_argument("--file", default="dsl/std.act")
    parser.add_argument("--target", default="host")
    parser.add_argument("--mcpu", help="also llvm-mca's cycles per element")
    parser.add_argument("acts", nargs="*")
    args = parser.parse_args()
    acts = args.acts or activations(args.file)
    mca = f" | cycles/element ({args.mcpu}, llvm-mca)" if args.mcpu else ""
    print("| kernel | instructions/element | spills+reloads/element | FMAs/element"
          f" | div+sqrt/element | vector | elements/iteration{mca} |")
    print("|---|---|---|---|---|---|---|" + ("---|" if args.mcpu else ""))
    for act in acts:
        for kernel in ("forward", "backward"):
            lines = assembly(args.actc, args.file, act, kernel, args.target)
            body = function_body(lines, f"actc_{act}_{kernel}_halide_par_for_")
            loop = first_inner_loop(body) if body else None
            s = stats(loop) if loop else None
            if s is None:
                print(f"| {act} {kernel} | (loop not found) | | | | | |")
                continue
            cycles = (f" {mca_cycles(loop, args.mcpu, s['elements']):.2f} |"
                      if args.mcpu else "")
            print(f"| {act} {kernel} | {s['instructions']:.1f} | {s['spills']:.1f}"
                  f" | {s['fma']:.1f} | {s['div']:.2f} | {s['width']} | {s['elements']} |"
                  + cycles)


if __name__ == "__main__":
    main()
