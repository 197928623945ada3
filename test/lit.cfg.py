# lit configuration: every test/<area>/*.act (and .mlir, .test, .c) file is a
# test with RUN lines.
import os
import lit.formats

config.name = "actc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".act", ".test", ".c", ".mlir"]
config.excludes = ["Inputs", "CMakeLists.txt", "unit", "fuzz", "lit.cfg.py", "lit.site.cfg.py", "check_values.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.actc_obj_root, "test")

for d in (config.llvm_tools_dir, config.actc_tools_dir):
    config.environment["PATH"] = os.path.pathsep.join((d, config.environment["PATH"]))

config.substitutions.append(("%std", os.path.join(config.actc_src_root, "dsl", "std.act")))
# The build tree, which test/package installs.
config.substitutions.append(("%actc-build", config.actc_obj_root))
config.substitutions.append(("%cxx", config.cxx))
# What a program linking a generated library adds, as `pkg-config --libs
# actc` says for an installed actc.
config.substitutions.append(
    ("%actc-libs", "-L%s -lactc_rt -lpthread -ldl -lm" % config.actc_lib_dir))
config.substitutions.append(("%cc", config.cc))
config.substitutions.append(("%halide-include", config.halide_include_dir))
config.substitutions.append(
    ("%check-values", "python3 " + os.path.join(config.actc_src_root, "test", "check_values.py")))
# `%exit-within-10s CMD...` runs CMD for at most 10 s, then prints "exit status N"
# after its output: 124 if it ran out of time, 128+N if signal N ended it.
# Limit tests check the status and the diagnostic with FileCheck. Sanitized
# builds run several times slower, so `make test-asan` raises the limit with
# ACTC_TEST_TIME_LIMIT (seconds); the limits still catch hangs and blow-ups.
time_limit = int(os.environ.get("ACTC_TEST_TIME_LIMIT", "10"))
config.substitutions.append(
    ("%exit-within-10s",
     "sh -c 'timeout %d \"$@\"; echo \"exit status $?\"' exit-within-10s" % time_limit))

# `REQUIRES: avx512`: tests that run AVX-512 code (Halide's avx512_skylake
# target) need a CPU with those instructions; the machines tests run on vary.
def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()

if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= cpu_flags():
    config.available_features.add("avx512")
