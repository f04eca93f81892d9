"""Seeded id generators: the same seed and namespace give the same ids in the same order."""

from __future__ import annotations

import hashlib
import random

# Interactly document ids (24 lowercase hex, as MongoDB ObjectIds), as every route checks them.
OBJECT_ID = r"^[0-9a-f]{24}$"
# UUID version 4, RFC 4122 variant: what uuid.UUID(int=..., version=4) does to the bits.
_CLEAR_VERSION_VARIANT = ~((0xF000 << 64) | (0xC000 << 48))
_SET_VERSION_VARIANT = (4 << 76) | (0x8000 << 48)


class IdGenerator:
    """UUIDv4-shaped ids for Revyl and 24-hex ObjectIds for Interactly, from one seeded stream.

    The stream is seeded from a digest of (seed, namespace), not Python's ``hash()``, so it is the
    same in every process regardless of PYTHONHASHSEED.
    """

    def __init__(self, seed: int, namespace: str) -> None:
        digest = hashlib.sha256(f"{seed}\x00{namespace}".encode()).digest()
        self._rng = random.Random(int.from_bytes(digest[:16], "big"))

    def uuid(self) -> str:
        """``str(uuid.UUID(int=bits, version=4))``, formatted directly: every Interactly event
        carries a fresh one (about twenty per turn) and building ``UUID`` objects was a tenth
        of a turn's cost. The version and variant bits are set exactly as ``UUID`` sets them."""
        bits = self._rng.getrandbits(128) & _CLEAR_VERSION_VARIANT | _SET_VERSION_VARIANT
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def object_id(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"

    def token(self, nbytes: int = 16) -> str:
        return f"{self._rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"

    # ------------------------------------------------------------------ snapshots
    def getstate(self) -> dict[str, object]:
        """Where the stream is, as JSON (snapshots): the next id after a restore is the one
        this generator would have produced next."""
        version, internal, gauss = self._rng.getstate()
        return {"version": version, "internal": list(internal), "gauss_next": gauss}

    def setstate(self, state: dict[str, object]) -> None:
        internal = state["internal"]
        if not isinstance(internal, list) or not all(isinstance(i, int) for i in internal):
            raise ValueError("ids.internal must be a list of integers")
        self._rng.setstate((state["version"], tuple(internal), state.get("gauss_next")))
