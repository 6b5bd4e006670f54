"""Tiny helpers that read settings from the environment (after healthchecks)."""

import os


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def load_env_file(path: "os.PathLike[str] | str") -> dict[str, str]:
    """Read KEY=VALUE lines of a `.env` file into os.environ; returns what it set.

    A tiny parser instead of a dependency: blank lines and `#` comments are skipped, an optional `export ` prefix
    and one pair of matching quotes around the value are removed. Real environment variables win (a systemd
    `Environment=` or a shell `export` overrides the file), and an empty value counts as unset, so that copying
    .env.example unchanged behaves like having no file at all. A missing file is not an error.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return {}
    loaded: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ValueError(f"{path}: not a KEY=VALUE line: {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:  # an unquoted value may carry a trailing comment
            value = value.split(" #", 1)[0].rstrip()
        if value and name not in os.environ:
            os.environ[name] = value
            loaded[name] = value
    return loaded
