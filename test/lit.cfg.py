# lit configuration: every test/<area>/*.act file is a test with RUN lines.
import os
import lit.formats

config.name = "actc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".act", ".test", ".c"]
config.excludes = ["Inputs", "CMakeLists.txt", "unit", "lit.cfg.py", "lit.site.cfg.py", "check_values.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.actc_obj_root, "test")

for d in (config.llvm_tools_dir, config.actc_tools_dir):
    config.environment["PATH"] = os.path.pathsep.join((d, config.environment["PATH"]))

config.substitutions.append(("%std", os.path.join(config.actc_src_root, "dsl", "std.act")))
config.substitutions.append(("%cxx", config.cxx))
config.substitutions.append(("%cc", config.cc))
config.substitutions.append(
    ("%check-values", "python3 " + os.path.join(config.actc_src_root, "test", "check_values.py")))
