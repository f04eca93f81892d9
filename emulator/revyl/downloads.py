"""Fetching a build for ``from-url``: loopback or allow-listed hosts only (checked by the
caller), no redirects (one could point at the internet), no proxies from the environment, and
a size cap enforced while streaming."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit


class DownloadFailed(Exception):
    pass


async def download(url: str, headers: dict[str, str], cap: int) -> tuple[bytes, str]:
    import httpx

    data = bytearray()
    try:
        async with httpx.AsyncClient(timeout=30, follow_redirects=False,
                                     trust_env=False) as client, \
                client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise DownloadFailed(f"HTTP {response.status_code}")
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > cap:
                    raise DownloadFailed(f"artifact larger than {cap} bytes")
    except httpx.HTTPError as exc:
        raise DownloadFailed(type(exc).__name__) from None
    if not data:
        raise DownloadFailed("empty response")
    name = posixpath.basename(unquote(urlsplit(url).path)) or "artifact.bin"
    return bytes(data), name
