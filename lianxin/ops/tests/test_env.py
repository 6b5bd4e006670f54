"""Settings read a `.env` file (beside the project, or LIANXIN_ENV_FILE); the real environment wins."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lianxin.env import load_env_file

ROOT = Path(__file__).resolve().parents[3]


def test_a_dotenv_file_is_parsed_with_comments_quotes_export_and_empty_values(tmp_path, monkeypatch):
    for name in ("LX_A", "LX_B", "LX_C", "LX_D", "LX_EMPTY", "LX_SET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LX_SET", "from the environment")
    env = tmp_path / ".env"
    env.write_text(
        "# a comment\n\nLX_A=plain\nexport LX_B='single # not a comment'\nLX_C=\"double\"\n"
        "LX_D=value # trailing comment\nLX_EMPTY=\nLX_SET=from the file\n"
    )
    loaded = load_env_file(env)
    assert loaded == {"LX_A": "plain", "LX_B": "single # not a comment", "LX_C": "double", "LX_D": "value"}
    assert os.environ["LX_SET"] == "from the environment"
    assert "LX_EMPTY" not in os.environ
    for name in loaded:
        monkeypatch.delenv(name)


def test_a_missing_file_is_no_error_and_a_bad_line_says_where(tmp_path):
    assert load_env_file(tmp_path / "absent") == {}
    (tmp_path / ".env").write_text("GOOD=1\nthis is not a setting\n")
    with pytest.raises(ValueError, match="not a KEY=VALUE line"):
        load_env_file(tmp_path / ".env")


def test_the_settings_module_reads_the_file_named_by_lianxin_env_file(tmp_path):
    (tmp_path / "county.env").write_text("SITE_URL=https://lianxin.example.gov.cn/\nMETRICS_TOKEN=from-file\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "METRICS_TOKEN")}
    env.update(LIANXIN_ENV_FILE=str(tmp_path / "county.env"), DJANGO_SETTINGS_MODULE="lianxin.settings",
               METRICS_TOKEN="from-environment")  # fmt: skip
    code = "from django.conf import settings; print(settings.SITE_URL, settings.METRICS_TOKEN)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["https://lianxin.example.gov.cn", "from-environment"]
