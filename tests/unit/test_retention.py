"""trim_finished: the bounded history behind EMULATOR_MAX_FINISHED."""

from emulator.core.retention import trim_finished


def test_oldest_finished_go_first_and_live_ones_never():
    items = {f"e{i}": {"done": i not in (0, 3)} for i in range(6)}
    forgotten: list[dict] = []
    assert trim_finished(items, 3, lambda e: e["done"], forgotten.append) == 3
    assert list(items) == ["e0", "e3", "e5"]  # e0 and e3 are live: kept though oldest
    assert len(forgotten) == 3


def test_under_the_limit_nothing_goes_and_all_live_stays_over_it():
    items = {"a": 1, "b": 2}
    assert trim_finished(items, 5, lambda _: True) == 0 and list(items) == ["a", "b"]
    live = {str(i): False for i in range(10)}
    assert trim_finished(live, 2, bool) == 0 and len(live) == 10
