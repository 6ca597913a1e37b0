"""The GitHub Actions workflow: valid against the workflow schema, least privilege, pinned actions."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / ".github" / "workflows").glob("*.yml"))


def test_there_is_a_workflow():
    assert WORKFLOWS


def test_workflows_match_the_github_workflow_schema():
    # check-jsonschema ships the schema (SchemaStore's github-workflow): no download.
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    result = subprocess.run([*command, *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_grant_read_only_by_default_and_write_only_to_the_deploy_job():
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {"contents": "read"}
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            if name == "deploy":
                assert granted == {"pages": "write", "id-token": "write"}
            else:
                assert granted == {}


def test_every_action_is_pinned_to_a_full_commit_sha():
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)", line)
            if match:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", match.group(1)), line
