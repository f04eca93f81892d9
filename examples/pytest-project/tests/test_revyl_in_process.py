"""In-process: the emulator app on a manual clock, no sockets, no real waiting.

The user code takes an httpx transport and a sleep function; the test hands it
``emulator.transport`` and ``emulator.sleep`` (which advances virtual time).
"""

from acme_qa import RevylRunner

LOGIN = "7e570000-0000-4000-8000-000000000001"  # a test from the emulator's bundled fixtures


def runner(emulator) -> RevylRunner:
    return RevylRunner(emulator.token, emulator.revyl_base_url,
                       transport=emulator.transport, sleep=emulator.sleep)


async def test_a_passing_run_completes(emulator):
    async with runner(emulator) as revyl:
        result = await revyl.run_test(LOGIN)
    assert result["status"] == "completed"
    clock = await emulator.clock()
    assert clock["now"] > "2026-01-01T00:00:15"  # ~18 virtual seconds went by, instantly


async def test_a_scripted_failure_is_reported(emulator):
    await emulator.script_outcome(test_id=LOGIN, result="fail", fail_step=2,
                                  error_message="Login button not found")
    async with runner(emulator) as revyl:
        result = await revyl.run_test(LOGIN)
    assert result["status"] == "failed"
    assert result["error_message"] == "Login button not found"


async def test_a_hanging_run_times_out_on_our_side(emulator):
    await emulator.script_outcome(test_id=LOGIN, result="timeout", timeout_seconds=3600)
    async with runner(emulator) as revyl:
        try:
            await revyl.run_test(LOGIN, timeout=60)
        except TimeoutError as error:
            assert "still running" in str(error)
        else:
            raise AssertionError("run_test should have given up")


async def test_drive_the_clock_by_hand(emulator):
    async with runner(emulator) as revyl:
        task_id = await revyl.start(LOGIN)
        assert (await revyl.status(task_id))["status"] != "completed"
        await emulator.run_until_idle()
        assert (await revyl.status(task_id))["status"] == "completed"


async def test_nothing_leaks_in_from_other_tests(emulator):
    # Every test gets its own bearer token, hence its own namespace: the runs started above
    # are not here, and the clock is back at its start.
    assert (await emulator.state())["revyl"]["test_executions"] == {}
    assert (await emulator.clock())["now"] == "2026-01-01T00:00:00.000Z"
