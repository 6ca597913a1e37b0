"""Files the build generates, kept outside docs/ and published as ordinary MkDocs files.

Generated files live under <project>/.cache/overlay/ (writing into docs/ would make `mkdocs serve`
rebuild forever). Each one is a real file on disk, so every plugin (mkdocs-jupyter,
mkdocs-static-i18n) sees a normal source path. A file is rewritten only when its bytes change.
"""

from pathlib import Path

from mkdocs.structure.files import File, Files


def project_root(config) -> Path:
    """The folder holding mkdocs.yml: snippets/, tests/ and .cache/ are found from it."""
    return Path(config.config_file_path).resolve().parent


def publish(files: Files, config, site_path: str, content: str | bytes) -> File:
    """Write `content` to the overlay at `site_path` (if changed) and add it to the build."""
    overlay = project_root(config) / ".cache" / "overlay"
    target = overlay / site_path
    data = content.encode("utf-8") if isinstance(content, str) else content
    if not target.is_file() or target.read_bytes() != data:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(target)  # atomic: a concurrent build never reads half a file
    file = File(site_path, str(overlay), config["site_dir"], config["use_directory_urls"])
    files.append(file)
    return file
