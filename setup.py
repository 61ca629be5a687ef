"""The package list for setuptools (everything else is in pyproject.toml).

The import package `qunsop` keeps the pipeline's folders: generator/ is the code, and the
templates and the shipped example are package data under it. Every folder below those roots
whose name Python could import is named as a package here, found by walking the tree, so
setuptools has nothing to warn about ("Package would be ignored") and a new template or
example folder needs no edit. Folders with other names (e.g. playbooks/truck-tyres) ride
along as data of the nearest package above them.
"""

from pathlib import Path

from setuptools import setup

ROOTS = {
    "qunsop": "generator",
    "qunsop.site_templates": "site_templates",
    "qunsop.example.playbooks": "playbooks",
    "qunsop.example.content_library": "content_library",
    "qunsop.example.data": "data",  # the example's synthetic group statistics (the weekly review)
}


def importable_folders(package: str, folder: Path) -> list[str]:
    names = [package]
    for child in sorted(folder.iterdir()):
        if child.is_dir() and child.name.isidentifier() and child.name != "__pycache__":
            names += importable_folders(f"{package}.{child.name}", child)
    return names


def data_globs(folder: Path) -> list[str]:
    """Files in the folder and in sub-folders that are not packages of their own."""
    globs = ["*"]
    for child in sorted(folder.rglob("*")):
        relative = child.relative_to(folder)
        if child.is_dir() and not all(part.isidentifier() for part in relative.parts):
            globs.append(f"{relative.as_posix()}/*")
    return globs


packages: list[str] = []
package_data: dict[str, list[str]] = {}
for root_package, root_folder in ROOTS.items():
    for package in importable_folders(root_package, Path(root_folder)):
        packages.append(package)
        relative = package.removeprefix(root_package).lstrip(".").replace(".", "/")
        folder = Path(root_folder) / relative
        if root_package != "qunsop" or relative:
            package_data[package] = data_globs(folder)

setup(packages=packages, package_dir=ROOTS, package_data=package_data)
