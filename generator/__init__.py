"""qunsop: a WeChat-group playbook kept as sources in git, built into an SOP site and packs."""

from importlib.resources import files
from pathlib import Path

# The Jinja2 templates and vendored assets, shipped as package data (setup.py).
TEMPLATES = Path(str(files("qunsop.site_templates")))

# A build allocates millions of small objects that form no cycles: the cyclic collector
# runs rarely during one (cli.py for the whole one-shot process, serve.py around each
# rebuild; measured 1 s of a 4 s rebuild at size M with the default thresholds).
BUILD_GC_THRESHOLDS = (50_000, 20, 100)


def version() -> str:
    """The installed qunsop's version (pyproject.toml); `init` pins it in requirements.txt."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("qunsop")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
