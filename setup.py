"""Build of the one compiled module, the graphical lasso's Newton sweeps.

Everything else is in pyproject.toml. The module is optional: where no C
compiler is found the package installs without it and the sweeps run
compiled by Numba at first use (glipca/model/glasso/direction.py).
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":
            for ext in self.extensions:
                # No fused multiply-add: the sweeps must round as the
                # Numba build does, so that results do not depend on the build.
                ext.extra_compile_args += ["-O3", "-ffp-contract=off", "-fno-fast-math"]
        super().build_extensions()


setup(
    ext_modules=[Extension("glipca.model.glasso._sweeps", ["glipca/model/glasso/_sweeps.c"],
                           optional=True)],
    cmdclass={"build_ext": BuildExt},
)
