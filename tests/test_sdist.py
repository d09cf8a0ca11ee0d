"""The source distribution is complete: built without a setuptools warning, it carries
the tests (with conftest.py and fixtures), examples, docs, licences and changelog, and
the test suite passes from the unpacked sdist installed into a fresh virtual environment.

Slow (a build, a fresh install and a whole test run): ``pytest -m slow tests/test_sdist.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

# Lines setuptools (and the distutils code inside it) writes for a warning.
SETUPTOOLS_WARNING = re.compile(r"^warning:|Setuptools\w*Warning|DeprecationWarning", re.MULTILINE)


def _tracked(*folders: str) -> set[str]:
    """Files git tracks under `folders` (empty when this is not a git checkout)."""
    if shutil.which("git") is None:
        return set()
    done = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", *folders],
                          capture_output=True, text=True)
    return set(done.stdout.split()) if done.returncode == 0 else set()


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not a source tree")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = SETUPTOOLS_WARNING.findall(done.stdout + done.stderr)
    assert not warnings, "\n".join(line for line in (done.stdout + done.stderr).splitlines()
                                   if SETUPTOOLS_WARNING.search(line))
    (archive,) = out.glob("vnrestore-*.tar.gz")
    return archive


def test_sdist_carries_tests_docs_and_licences(sdist):
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    wanted = {"tests/conftest.py", "examples/khong-dau.txt", "CHANGELOG.md", "LICENSE", "LICENSE-MODEL",
              "README.md", "src/vnrestore/py.typed", "lexicon/syllables.txt", "lexicon/PROVENANCE.md"}
    wanted |= _tracked("tests", "examples", "docs", "benchmarks")
    assert wanted <= names, sorted(wanted - names)


def test_tests_pass_from_the_unpacked_sdist(sdist, tmp_path):
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (source,) = tmp_path.glob("vnrestore-*")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", f"{source}[test,dask]"],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    # The installed wheel carries both licence files and the typing marker.
    check = ("import importlib.metadata as m, vnrestore, pathlib; "
             "files = {p.name for p in m.files('vnrestore')}; "
             "print(vnrestore.__version__ == m.version('vnrestore'), "
             "{'LICENSE', 'LICENSE-MODEL', 'py.typed', 'syllables.txt'} <= files, "
             "pathlib.Path(vnrestore.__file__).is_relative_to(pathlib.Path(r'%s')), "
             "vnrestore.lm._native is not None)" % venv)  # the compiled decoder was built
    assert subprocess.run([str(python), "-c", "import vnrestore.lm; " + check], capture_output=True, text=True,
                          check=True).stdout.split() == ["True", "True", "True", "True"]
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=source,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout)
    assert " error" not in run.stdout.splitlines()[-1]
