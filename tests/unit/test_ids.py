import re

from emulator.core.ids import IdGenerator

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_same_seed_and_namespace_give_the_same_stream():
    a, b = IdGenerator(7, "ns"), IdGenerator(7, "ns")
    assert [a.uuid() for _ in range(5)] == [b.uuid() for _ in range(5)]


def test_seed_and_namespace_both_change_the_stream():
    base = IdGenerator(7, "ns").uuid()
    assert IdGenerator(8, "ns").uuid() != base
    assert IdGenerator(7, "other").uuid() != base


def test_shapes():
    ids = IdGenerator(0, "x")
    assert all(UUID4.match(ids.uuid()) for _ in range(100))
    assert re.fullmatch(r"[0-9a-f]{24}", ids.object_id())
    assert re.fullmatch(r"[0-9a-f]{32}", ids.token())


def test_uuid_is_exactly_what_uuid_module_makes_of_the_same_bits():
    """``uuid()`` formats the bits itself (it is on every Interactly event's hot path): the
    text must stay byte-identical to ``str(uuid.UUID(int=bits, version=4))``, or seeded id
    streams would change between versions."""
    import random
    import uuid

    ids, reference = IdGenerator(3, "ns"), IdGenerator(3, "ns")
    for _ in range(2000):
        expected = str(uuid.UUID(int=reference._rng.getrandbits(128), version=4))
        assert ids.uuid() == expected
    for bits in (0, (1 << 128) - 1, random.Random(1).getrandbits(128)):
        fixed = IdGenerator(0, "x")
        fixed._rng = random.Random()
        fixed._rng.getrandbits = lambda n, bits=bits: bits  # type: ignore[method-assign]
        assert fixed.uuid() == str(uuid.UUID(int=bits, version=4))
