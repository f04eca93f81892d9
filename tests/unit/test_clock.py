import asyncio

import pytest

from emulator.core.clock import MANUAL_EPOCH, VirtualClock, iso


def test_manual_clock_starts_at_fixed_epoch_and_stands_still():
    clock = VirtualClock("manual")
    assert clock.now() == MANUAL_EPOCH
    assert clock.now() == MANUAL_EPOCH
    assert iso(clock.now()) == "2026-01-01T00:00:00.000Z"


def test_advance_fires_due_timers_in_order_at_their_due_time():
    clock = VirtualClock("manual", epoch=1000.0)
    seen: list[tuple[str, float]] = []
    clock.call_later(5, lambda: seen.append(("b", clock.now())))
    clock.call_later(2, lambda: seen.append(("a", clock.now())))
    clock.call_later(9, lambda: seen.append(("c", clock.now())))
    assert clock.advance(6) == 2
    assert seen == [("a", 1002.0), ("b", 1005.0)]
    assert clock.now() == 1006.0
    assert clock.pending == 1


def test_timers_scheduled_while_firing_run_in_the_same_advance():
    clock = VirtualClock("manual", epoch=0.0)
    seen: list[float] = []

    def chain() -> None:
        seen.append(clock.now())
        if len(seen) < 3:
            clock.call_later(1, chain)

    clock.call_later(1, chain)
    clock.advance(10)
    assert seen == [1.0, 2.0, 3.0]


def test_equal_due_times_fire_in_scheduling_order():
    clock = VirtualClock("manual", epoch=0.0)
    seen: list[int] = []
    for i in range(5):
        clock.call_later(1, lambda i=i: seen.append(i))
    clock.advance(1)
    assert seen == [0, 1, 2, 3, 4]


def test_cancelled_timer_never_fires():
    clock = VirtualClock("manual", epoch=0.0)
    seen: list[str] = []
    timer = clock.call_later(1, lambda: seen.append("x"))
    timer.cancel()
    assert clock.advance(5) == 0
    assert seen == []
    assert clock.pending == 0


def test_run_until_idle_jumps_time_and_ignores_background_timers():
    clock = VirtualClock("manual", epoch=0.0)
    seen: list[float] = []

    def heartbeat() -> None:
        clock.call_later(15, heartbeat, background=True)

    clock.call_later(15, heartbeat, background=True)
    clock.call_later(100, lambda: seen.append(clock.now()))
    clock.call_later(40, lambda: seen.append(clock.now()))
    clock.run_until_idle()
    assert seen == [40.0, 100.0]
    assert clock.now() == 100.0
    assert clock.pending == 0


def test_run_until_idle_refuses_a_machine_that_never_settles(monkeypatch):
    import emulator.core.clock as clock_module

    monkeypatch.setattr(clock_module, "MAX_IDLE_FIRINGS", 50)
    clock = VirtualClock("manual", epoch=0.0)

    def forever() -> None:
        clock.call_later(1, forever)

    clock.call_later(1, forever)
    with pytest.raises(RuntimeError):
        clock.run_until_idle()


def test_failing_callback_does_not_stop_other_timers():
    clock = VirtualClock("manual", epoch=0.0)
    seen: list[str] = []

    def boom() -> None:
        raise ValueError("boom")

    clock.call_later(1, boom)
    clock.call_later(2, lambda: seen.append("after"))
    clock.advance(3)
    assert seen == ["after"]


def test_advance_rejects_negative_and_configure_rejects_bad_scale():
    clock = VirtualClock("manual", epoch=0.0)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.configure(scale=0)
    with pytest.raises(ValueError):
        VirtualClock("realtime", scale=-2)


def test_switching_modes_keeps_the_current_reading():
    clock = VirtualClock("manual", epoch=500.0)
    clock.advance(10)
    clock.configure(mode="realtime", scale=1000)
    assert clock.now() >= 510.0
    clock.configure(mode="manual")
    frozen = clock.now()
    assert clock.now() == frozen


@pytest.mark.anyio
async def test_realtime_scaled_clock_fires_timers_without_manual_help():
    clock = VirtualClock("realtime", scale=1000.0, epoch=0.0)
    fired = asyncio.Event()
    clock.call_later(50, fired.set)  # 50 virtual seconds = 50 ms real
    await asyncio.wait_for(fired.wait(), timeout=5)
    assert clock.now() >= 50
    await clock.aclose()


@pytest.mark.anyio
async def test_realtime_driver_wakes_for_an_earlier_timer():
    clock = VirtualClock("realtime", scale=1000.0, epoch=0.0)
    late, early = asyncio.Event(), asyncio.Event()
    clock.call_later(3600, late.set)  # an hour virtual = 3.6 s real
    clock.call_later(10, early.set)
    await asyncio.wait_for(early.wait(), timeout=5)
    assert not late.is_set()
    await clock.aclose()


@pytest.mark.parametrize("ts", [
    0, 0.0, -0.5, -1e-7, 1767225600, 1767225600.0005, 1767225600.0004999, 1767225600.9999995,
    1767225600.9999996, 1767225600.123456, 1e9 + 0.0009995, -62135596800.0, 253402300799.999])
def test_iso_matches_datetime_isoformat_to_the_millisecond(ts):
    """``iso`` formats by hand for speed (every SSE event prints several): same text as
    ``datetime.isoformat(timespec="milliseconds")``, including its microsecond rounding."""
    from datetime import UTC, datetime

    expected = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
    assert iso(ts) == expected.replace("+00:00", "Z")


def test_iso_matches_datetime_on_many_instants():
    import random
    from datetime import UTC, datetime

    rng = random.Random(5)
    for ts in [rng.uniform(-6e10, 2.5e11) for _ in range(5000)] + [
            1767225600 + k / 1e6 for k in range(3000)]:
        assert iso(ts) == datetime.fromtimestamp(ts, UTC).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")


def test_iso_rejects_what_datetime_rejects():
    for bad in (float("nan"), float("inf"), 1e20):
        with pytest.raises((ValueError, OverflowError)):
            iso(bad)
