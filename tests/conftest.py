import functools

import pytest
import snippet_runner


@functools.cache
def _run(name):
    return snippet_runner.run(name)


@pytest.fixture(scope="session")
def snippet():
    """Run a snippet (once per test session) and return its result, namespace included."""
    return _run
