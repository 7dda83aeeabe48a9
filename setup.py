"""Build hook: the wheel carries the top-level ``templates/``, ``static/`` and ``seeds/`` inside ``tracker/``,
and the translations compiled to ``.mo``.

The repository keeps those folders at the top level; ``tracker.data_folder`` finds them there in a source
checkout (and an editable install) and inside the package once installed from a wheel. Everything else is
declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = ("templates", "static", "seeds")


def compile_catalogues(translations):
    """Write ``messages.mo`` beside each ``messages.po`` (what ``pybabel compile`` does; fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_file in translations.glob("*/LC_MESSAGES/*.po"):
        with po_file.open("rb") as source:
            catalogue = read_po(source, locale=po_file.parent.parent.name)
        with po_file.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalogue)


class BuildWithData(build_py):
    def run(self):
        package = Path(self.build_lib) / "tracker"
        if not self.editable_mode:
            # setuptools never removes anything from build/: start clean so that a deleted file cannot ship.
            shutil.rmtree(package, ignore_errors=True)
        super().run()
        if self.editable_mode:
            return
        for name in DATA_FOLDERS:
            shutil.copytree(ROOT / name, package / name, ignore=shutil.ignore_patterns("__pycache__"))
        compile_catalogues(package / "translations")


setup(cmdclass={"build_py": BuildWithData})
