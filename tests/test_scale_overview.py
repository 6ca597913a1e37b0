"""The claims of docs/scale/index.md: real process groups start, sum, fail loudly and leave nothing behind."""

import os
import time
from pathlib import Path

import pytest
import snippet_runner
import torch.multiprocessing as mp
from conftest import snippet_fixture

SCALE = snippet_runner.ROOT / "snippets" / "scale"
START, END = "# --8<-- [start:launch]\n", "# --8<-- [end:launch]\n"


overview = snippet_fixture("scale/overview_setup")


def children():
    """The processes whose parent is this one, except multiprocessing's resource tracker (it lives
    as long as this process, whatever the snippets do)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(text.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"resource_tracker" not in command:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.claim("scale-all-reduce-sum")
def test_every_rank_gets_the_sum_and_knows_the_world_size(overview):
    """At 2 and at 4 ranks, every rank reports the world size it was started in, and all_reduce
    leaves on every rank the sum of what the ranks contributed, at every step."""
    values = overview.values
    for size in values["WORLD_SIZES"]:
        assert values["world_size_seen"][str(size)] == [size] * size
        expected = [sum(rank + step for rank in range(size)) for step in range(values["STEPS"])]
        assert values["sums"][str(size)] == [expected] * size


@pytest.mark.claim("scale-all-reduce-order")
def test_the_sum_depends_on_where_a_number_sits_in_the_buffer_at_four_ranks(overview):
    """Every rank gets the same bits, but with 4 ranks the same four float32 numbers, added at
    every position of one buffer, come back as several different sums (with 2 ranks, as one)."""
    by_position, distinct = overview.values["by_position"], overview.values["distinct_sums"]
    for size, ranks in by_position.items():
        assert all(sums == ranks[0] for sums in ranks)  # the same on every rank
        assert distinct[size] == len(ranks[0])
    assert distinct["2"] == 1
    assert distinct["4"] > 1


@pytest.mark.claim("scale-rank-killed")
def test_a_rank_killed_mid_step_fails_the_build_naming_it_and_leaves_no_process(monkeypatch):
    """A rank killed in the middle of a step (SIGKILL, at step 1 of 2 ranks) fails the snippet, as
    the build runs it, with a message that names the rank and the signal, and no process is left."""
    before = children()
    monkeypatch.setenv("HANDBOOK_SCALE_FAULT", "kill:1:1")
    with pytest.raises(snippet_runner.SnippetError) as failure:
        snippet_runner.run("scale/overview_setup")
    message = str(failure.value)
    assert "snippet snippets/scale/overview_setup.py" in message
    assert "demo on 2 ranks: rank 1 died (SIGKILL); every other rank was stopped" in message
    assert mp.active_children() == []
    assert children() - before == set()


@pytest.mark.claim("scale-rank-raises")
def test_a_rank_that_raises_fails_the_run_with_its_traceback(overview):
    """A rank that raises fails the run, and the error carries that rank's own traceback."""
    before = children()
    with pytest.raises(RuntimeError) as failure:
        overview.module.launch(overview.module.demo, 2, overview.module.STEPS, "raise:1:1")
    message = str(failure.value)
    assert message.startswith("demo on 2 ranks: rank 1 raised; every other rank was stopped. Its traceback:")
    assert "Traceback" in message and "in inject" in message
    assert "ValueError: fault injected into rank 1 at step 1" in message
    assert children() - before == set()


@pytest.mark.claim("scale-hang-times-out")
def test_a_hung_group_is_killed_after_the_timeout_with_a_clear_message(overview):
    """A group that hangs (rank 1 stops at step 1, rank 0 waits in all_reduce) is killed after the
    launcher's timeout, with a message naming the ranks still running; no process is left."""
    before = children()
    timeout = 60
    started = time.monotonic()
    with pytest.raises(TimeoutError) as failure:
        overview.module.launch(overview.module.demo, 2, overview.module.STEPS, "hang:1:1", timeout_s=timeout)
    assert timeout <= time.monotonic() - started < timeout + 30
    assert f"demo on 2 ranks: rank(s) [0, 1] still running after {timeout} s" in str(failure.value)
    assert "every rank was killed" in str(failure.value)
    assert children() - before == set()


def launch_section(path):
    """The code between a snippet's launch markers, or None when it has none."""
    text = path.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0] if START in text else None


def test_every_snippet_that_starts_ranks_holds_the_same_launcher():
    """Each Scale snippet that calls launch holds its own copy of the launch section, byte for byte
    overview_setup.py's, whose failures the tests above check; so none can drift."""
    original = launch_section(SCALE / "overview_setup.py")
    starting = [path for path in sorted(SCALE.glob("*.py")) if "launch(" in path.read_text(encoding="utf-8")]
    assert original and len(starting) > 1
    for path in starting:
        assert launch_section(path) == original, f"{path.name}: its launch section is not overview_setup.py's"
