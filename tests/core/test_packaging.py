"""The wheel ships every package and the resources, found the same way as from a checkout."""
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def listed_packages() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])


def test_every_package_on_disk_is_listed_for_the_wheel():
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for top in ("postmortem_desktop", "ui")
               for p in (ROOT / top).rglob("__init__.py")}
    assert listed_packages() == on_disk | {"postmortem_desktop._resources"}


def test_the_wheel_carries_the_resources(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in ("demo/billing_outage.json", "palette.json", "tag_patterns.json", "themes/projector.qss",
                     "fonts/DejaVuSans.ttf", "fonts/LICENSE-DejaVu.txt"):
        assert f"postmortem_desktop/_resources/{resource}" in names
    assert "ui/app.py" in names and "postmortem_desktop/cli/__init__.py" in names
