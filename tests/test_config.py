import stat

from tracker import create_app
from tracker.config import load_or_create_secret_key


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)

    assert first == second
    assert len(first) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)

    app = create_app()

    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/tracker.sqlite"
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_environment_sets_database_and_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment")

    app = create_app()

    assert app.config["DATABASE_URL"].endswith("/other.sqlite")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_instance_config_overrides_defaults_but_not_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    (tmp_path / "config.py").write_text(
        f'ITEMS_PER_PAGE = 7\nDATABASE_URL = "sqlite:///{tmp_path}/configured.sqlite"\nSECRET_KEY = "from-file"\n'
    )

    app = create_app()

    assert app.config["ITEMS_PER_PAGE"] == 7
    assert app.config["DATABASE_URL"].endswith("/configured.sqlite")
    assert app.config["SECRET_KEY"] == "from-the-environment"
