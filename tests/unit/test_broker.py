import asyncio

import pytest

from emulator.core.broker import Broker, sse_frame


def test_sse_frame_is_one_named_event_with_one_json_line_and_lf_only():
    frame = sse_frame("test_started", {"test": {"id": "a", "note": "multi\nline"}})
    assert frame == (b'event: test_started\ndata: {"test":{"id":"a","note":"multi\\nline"}}'
                     b"\n\n")
    assert b"\r" not in frame


@pytest.mark.anyio
async def test_every_subscriber_gets_the_same_encoded_bytes():
    broker = Broker()
    a, b = broker.subscribe(), broker.subscribe()
    frame = broker.publish("heartbeat", {"timestamp": "t"})
    got_a, got_b = await a.next(), await b.next()
    assert got_a is frame and got_b is frame


@pytest.mark.anyio
async def test_a_slow_subscriber_is_dropped_without_blocking_others():
    broker = Broker(queue_size=4, replay_size=0)
    slow, fast = broker.subscribe(), broker.subscribe()
    for i in range(10):
        broker.publish("e", {"i": i})
        assert await fast.next() is not None  # fast keeps up
    assert slow.dropped and broker.subscribers == 1 and broker.dropped == 1
    assert await slow.next() is None  # its stream ends instead of hanging


@pytest.mark.anyio
async def test_replay_primes_new_subscribers_with_recent_terminal_events_only():
    broker = Broker(replay_size=2)
    broker.publish("test_updated", {"n": 0})
    for n in (1, 2, 3):
        broker.publish("test_completed", {"n": n}, replay=True)
    late = broker.subscribe()
    assert [await late.next(), await late.next()] == [
        sse_frame("test_completed", {"n": 2}), sse_frame("test_completed", {"n": 3})]
    broker.clear_replay()
    assert broker.subscribe().queue.empty()


@pytest.mark.anyio
async def test_close_ends_every_stream_and_unsubscribe_is_idempotent():
    broker = Broker()
    sub = broker.subscribe()
    sub.close()
    sub.close()
    assert broker.subscribers == 0
    other = broker.subscribe()
    broker.close()
    assert await asyncio.wait_for(other.next(), 1) is None


@pytest.mark.anyio
async def test_next_batch_joins_what_is_queued_and_ends_after_the_last_frames():
    """The SSE route sends a burst in one write: the frames joined in order, then the end of
    the stream on the next call (not lost with the batch it came in)."""
    broker = Broker(replay_size=0)
    sub = broker.subscribe()
    frames = [broker.publish("test_updated", {"n": n}) for n in range(3)]
    assert await sub.next_batch() == b"".join(frames)
    last = broker.publish("test_completed", {"n": 3})
    broker.close()
    assert await sub.next_batch() == last
    assert await asyncio.wait_for(sub.next_batch(), 1) is None
    assert await asyncio.wait_for(sub.next_batch(), 1) is None


@pytest.mark.anyio
async def test_a_dropped_subscriber_batch_ends_its_stream():
    broker = Broker(queue_size=2, replay_size=0)
    sub = broker.subscribe()
    for n in range(5):
        broker.publish("e", {"n": n})
    assert sub.dropped and await asyncio.wait_for(sub.next_batch(), 1) is None
