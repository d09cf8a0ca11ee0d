"""The one part of the build pyproject.toml cannot declare: the compiled decoder.

``vnrestore._native`` (src/vnrestore/_native.c, plain CPython C API, no numpy headers) is
built by ``pip install .`` with the machine's C compiler.  It is optional: if it cannot
be built (no compiler, no Python headers) the install goes on with a warning and the
pure Python + numpy decoder is used, with the same output (see decode.py).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("vnrestore._native", ["src/vnrestore/_native.c"], optional=True)])
