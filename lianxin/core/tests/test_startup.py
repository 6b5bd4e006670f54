"""Every command starts without loading the heavy libraries that only some commands use: scikit-learn (the router,
~2 s) and pypinyin's phrase dictionary (the voter-roll name checks, ~1 s) are imported where they are used."""

import json
import subprocess
import sys

HEAVY = ("sklearn", "scipy", "joblib", "pypinyin")

# The console script's path: lianxin.__main__.main() runs `lianxin help` (django.setup(), the admin's autodiscovery,
# every app's ready()), then the worker's command module is loaded as `lianxin run_worker` would load it.
PROBE = """
import contextlib, io, json, sys
import lianxin.__main__
sys.argv = ["lianxin", "help"]
with contextlib.redirect_stdout(io.StringIO()):
    lianxin.__main__.main()
after_setup = sorted(m for m in {heavy!r} if m in sys.modules)
from django.core.management import load_command_class
for app, name in [("lianxin.ops", "run_worker"), ("lianxin.elections", "check_voters"), ("lianxin.cases", "export_ledger")]:
    load_command_class(app, name)
after_commands = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps([after_setup, after_commands]))
"""


def test_the_command_line_entry_point_and_django_setup_do_not_import_scikit_learn_or_pypinyin():
    env_code = PROBE.format(heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True, check=True, timeout=120)
    after_setup, after_commands = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_setup == []
    assert after_commands == []


def test_the_name_checks_still_read_pinyin_when_used():
    from lianxin.elections.checks.names import char_readings, pinyin_key

    assert pinyin_key("张伟") == pinyin_key("张玮") == "zhang wei"
    assert {"dan", "shan", "chan"} <= char_readings("单")
