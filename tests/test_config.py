import logging
import re
import stat
from pathlib import Path

import pytest

from tracker import create_app
from tracker.config import BY_NAME
from tracker.config import SETTINGS
from tracker.config import default
from tracker.config import load_or_create_secret_key
from tracker.config import settings_markdown


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


def test_environment_values_are_read_as_json_in_the_settings_type(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ITEMS_PER_PAGE", "50")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("TRACKER_LANGUAGES", '["en", "fr"]')
    monkeypatch.setenv("TRACKER_TOTP_ISSUER", "Child Online Safety Fund")

    app = create_app()

    assert app.config["ITEMS_PER_PAGE"] == 50
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["LANGUAGES"] == ["en", "fr"]
    assert app.config["TOTP_ISSUER"] == "Child Online Safety Fund"


def test_a_text_setting_keeps_its_value_as_written_even_when_it_looks_like_json(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_SECRET_KEY", "20240131")
    monkeypatch.setenv("TRACKER_TOTP_ISSUER", "true")

    app = create_app()

    assert app.config["SECRET_KEY"] == "20240131"
    assert app.config["TOTP_ISSUER"] == "true"


@pytest.mark.parametrize(("variable", "value"), [
    ("TRACKER_SQL_ECHO", "no"), ("TRACKER_ITEMS_PER_PAGE", "fifty"), ("TRACKER_ITEMS_PER_PAGE", "true"),
    ("TRACKER_LANGUAGES", "en,fr"),
])
def test_an_environment_value_of_the_wrong_type_stops_the_start(tmp_path, monkeypatch, variable, value):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValueError, match=variable):
        create_app()


def test_an_empty_environment_variable_counts_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ITEMS_PER_PAGE", "")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "")
    (tmp_path / "config.py").write_text("ITEMS_PER_PAGE = 7\n")

    app = create_app()

    assert app.config["ITEMS_PER_PAGE"] == 7
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/tracker.sqlite"


def test_instance_config_overrides_the_table_and_the_environment_overrides_both(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_REPORT_LINK_HOURS", "48")
    (tmp_path / "config.py").write_text("REPORT_LINK_HOURS = 12\nREPORT_WORKERS = 4\n")

    app = create_app()

    assert app.config["REPORT_WORKERS"] == 4
    assert app.config["REPORT_LINK_HOURS"] == 48
    assert app.config["EVIDENCE_UPLOAD_MAX_BYTES"] == default("EVIDENCE_UPLOAD_MAX_BYTES")


def test_the_test_configuration_overrides_the_environment_and_skips_instance_config(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ITEMS_PER_PAGE", "50")
    monkeypatch.setenv("TRACKER_AUDIT_ITEMS_PER_PAGE", "80")
    (tmp_path / "config.py").write_text("IMPORT_MAX_ROWS = 10\n")

    app = create_app({"SECRET_KEY": "test", "ITEMS_PER_PAGE": 5})

    assert app.config["ITEMS_PER_PAGE"] == 5
    assert app.config["AUDIT_ITEMS_PER_PAGE"] == 80
    assert app.config["IMPORT_MAX_ROWS"] == default("IMPORT_MAX_ROWS")


def test_an_unknown_tracker_variable_is_logged_and_ignored(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ITEMS_PER_PAGES", "50")

    with caplog.at_level(logging.WARNING, logger="tracker"):
        app = create_app()

    assert "TRACKER_ITEMS_PER_PAGES is not a setting" in caplog.text
    assert "did you mean TRACKER_ITEMS_PER_PAGE?" in caplog.text
    assert "ITEMS_PER_PAGES" not in app.config
    assert app.config["ITEMS_PER_PAGE"] == default("ITEMS_PER_PAGE")


def test_a_nested_variable_under_a_setting_is_logged_and_ignored(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_ITEMS_PER_PAGE__MAXIMUM", "50")

    with caplog.at_level(logging.WARNING, logger="tracker"):
        app = create_app()

    assert "TRACKER_ITEMS_PER_PAGE__MAXIMUM is not a setting" in caplog.text
    assert app.config["ITEMS_PER_PAGE"] == default("ITEMS_PER_PAGE")


def test_the_instance_path_setting_says_where_the_instance_folder_is(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "elsewhere"))

    app = create_app()

    assert app.instance_path == app.config["INSTANCE_PATH"] == str(tmp_path / "elsewhere")


# One table, documented -----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SETTING_READ = re.compile(r"""config(?:\[|\.get\()\s*["']([A-Z][A-Z0-9_]*)["']|\bconfig\.([A-Z][A-Z0-9_]*)\b""")


def settings_read_in(folder, pattern):
    return {name for path in (ROOT / folder).rglob(pattern)
            for match in SETTING_READ.finditer(path.read_text(encoding="utf-8")) for name in match.groups() if name}


def test_every_setting_the_app_reads_is_in_the_table():
    read = settings_read_in("tracker", "*.py") | settings_read_in("templates", "*.html")

    assert "EVIDENCE_UPLOAD_MAX_BYTES" in read
    assert read - set(BY_NAME) == set()


def test_no_module_gives_a_setting_a_default_of_its_own():
    setting_defaults = re.compile(r"config\.setdefault\(|config\.get\(\s*[\"'][A-Z0-9_]+[\"']\s*,")

    assert [path.name for path in (ROOT / "tracker").rglob("*.py") if setting_defaults.search(path.read_text())] == []


def test_every_help_text_is_one_table_cell():
    assert all(setting.help and "|" not in setting.help and "\n" not in setting.help for setting in SETTINGS)


def test_the_readme_settings_table_is_generated_from_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- settings:start -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]

    assert section == settings_markdown(), (
        "README.md's settings table is stale: paste the output of `flask --app tracker settings-doc` "
        "between its <!-- settings:start --> and <!-- settings:end --> markers")


def test_settings_doc_prints_the_table(app):
    result = app.test_cli_runner().invoke(args=["settings-doc"])

    assert result.exit_code == 0
    assert result.output == settings_markdown()
    assert "| `IMPORT_MAX_ROWS` | `TRACKER_IMPORT_MAX_ROWS` | `20000` |" in result.output
