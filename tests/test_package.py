"""The wheel is the whole app: installed from it (not from this checkout), the app migrates, loads the demo and
serves its pages, static files and translations."""

import json
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SERVE_TWO_PAGES = """
import json
import tracker
app = tracker.create_app()
client = app.test_client()
login = client.get("/login", headers={"Accept-Language": "fr"})
css = client.get("/static/css/app.css")
print(json.dumps({"package": tracker.__file__, "template_folder": str(app.template_folder),
                  "login": login.status_code, "login_in_french": "Se connecter" in login.get_data(as_text=True),
                  "css": css.status_code, "css_type": css.mimetype}))
"""

pytestmark = pytest.mark.heavy


@pytest.fixture
def wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(ROOT)],
                   check=True)
    return next(dist.glob("evidence_tracker-*.whl"))


@pytest.fixture
def installed(wheel, tmp_path_factory):
    """A fresh virtual environment holding the wheel; its dependencies come from this environment (no download)."""
    folder = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # A .pth file appends this environment's packages (pip included) after the new environment's own.
    (Path(purelib) / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # --ignore-installed: this environment's own copy (e.g. editable) is neither replaced nor uninstalled.
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--quiet", str(wheel)],
                   check=True)
    return python


def test_the_wheel_carries_the_whole_app_which_migrates_loads_the_demo_and_serves_pages(wheel, installed, tmp_path):
    """One test, so that the wheel is built once even when the suite runs on parallel workers."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"tracker/templates/base.html", "tracker/static/css/app.css", "tracker/seeds/demo/fund.toml",
            "tracker/migrations/env.py", "tracker/translations/fr/LC_MESSAGES/messages.mo",
            "tracker/translations/es/LC_MESSAGES/messages.mo"} <= names
    assert not [name for name in names if "__pycache__" in name]

    instance = tmp_path / "instance"
    instance.mkdir()
    # The demo's accounts hashed cheaply, through the instance configuration a deployment would use.
    (instance / "config.py").write_text("ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8\nARGON2_PARALLELISM = 1\n")
    environment = {"TRACKER_INSTANCE_PATH": str(instance), "PATH": str(installed.parent)}

    def run(*args):
        # Outside the checkout, so that nothing can import tracker/ from it.
        completed = subprocess.run([installed, *args], cwd=tmp_path, env=environment, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    assert "upgraded from empty" in run("-m", "flask", "--app", "tracker", "init-db")
    assert "admin" in run("-m", "flask", "--app", "tracker", "seed-demo")
    served = json.loads(run("-c", SERVE_TWO_PAGES))

    site_packages = installed.parent.parent / "lib"
    assert Path(served["package"]).is_relative_to(site_packages)
    assert Path(served["template_folder"]).is_relative_to(site_packages)
    assert served["login"] == 200 and served["login_in_french"]
    assert served["css"] == 200 and served["css_type"] == "text/css"
