"""Build hook: ship the top-level ``notebooks/`` inside the package (``journal/notebooks/``),
so that an installed ``journal render`` finds them. The notebooks live in one place only;
the copy is made in the build folder. Everything else is configured in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "notebooks"
        target = Path(self.build_lib) / "journal" / "notebooks"
        self.mkpath(str(target))
        for notebook in sorted(source.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildPyWithNotebooks})
