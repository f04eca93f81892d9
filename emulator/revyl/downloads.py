"""Fetching a build for ``from-url``, or standing in for the fetch when it may not happen.

A real fetch goes to loopback or allow-listed hosts only (checked by the caller), without
redirects (one could point at the internet), without proxies from the environment, and with a
size cap enforced while streaming.

Any other host is never contacted (``EMULATOR_FROM_URL=offline``, the default): the build gets
a *placeholder* artifact instead, bytes derived only from the URL, the version and the package
id, so the same request always stores the same bytes and a CI pipeline that uploads from an
Expo or CDN URL runs without network. :data:`FAIL_HOST` is the one host whose download fails
on purpose, to exercise clients' error paths.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import plistlib
import posixpath
import tarfile
import zipfile
from urllib.parse import unquote, urlsplit

FAIL_HOST = "fail.emulator.invalid"
# A fixed date for every archive member: zip and tar headers otherwise carry "now".
_EPOCH = (2026, 1, 1, 0, 0, 0)
_EPOCH_SECONDS = 1767225600


class DownloadFailed(Exception):
    pass


class DownloadTooLarge(DownloadFailed):
    pass


class DownloadTimedOut(DownloadFailed):
    pass


def file_name_of(url: str) -> str:
    return posixpath.basename(unquote(urlsplit(url).path)) or "artifact.bin"


async def download(url: str, headers: dict[str, str], cap: int,
                   timeout: float = 60.0) -> tuple[bytes, str]:
    """The body at ``url``, whole within ``timeout`` seconds and ``cap`` bytes: a server that
    streams forever (or just slowly) is dropped at one of the two, not read for as long as it
    keeps sending (httpx's own timeout is per read). A larger Content-Length is refused before
    a byte of the body is read."""
    import asyncio

    import httpx

    data = bytearray()
    try:
        async with asyncio.timeout(timeout), \
                httpx.AsyncClient(timeout=min(30.0, timeout), follow_redirects=False,
                                  trust_env=False) as client, \
                client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise DownloadFailed(f"HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise DownloadTooLarge(f"artifact larger than {cap} bytes")
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > cap:
                    raise DownloadTooLarge(f"artifact larger than {cap} bytes")
    except TimeoutError:
        raise DownloadTimedOut(f"not complete within {timeout:g} s") from None
    except httpx.TimeoutException:
        raise DownloadTimedOut("the server stopped sending") from None
    except httpx.HTTPError as exc:
        raise DownloadFailed(type(exc).__name__) from None
    if not data:
        raise DownloadFailed("empty response")
    return bytes(data), file_name_of(url)


def placeholder(url: str, version: str, package_id: str) -> tuple[bytes, str]:
    """(bytes, file name) standing in for the artifact at ``url``: an ``.apk`` is a zip whose
    ``AndroidManifest.xml`` names ``package_id``, an iOS archive (``.zip``, ``.tar.gz``,
    ``.tgz``, ``.tar``) holds ``<name>.app/Info.plist`` with it as ``CFBundleIdentifier``, so
    package-id extraction reads the same id from it as from a real build; any other name gets
    a few bytes of text. Everything, archive dates included, depends only on the arguments."""
    name = file_name_of(url)
    lowered = name.lower()
    digest = hashlib.sha256(url.encode() + b"\n" + version.encode()).hexdigest()
    note = (f"Revyl emulator placeholder artifact\nurl: {url}\nversion: {version}\n"
            f"sha256(url, version): {digest}\n").encode()
    if lowered.endswith(".apk"):
        manifest = (f'<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android='
                    f'"http://schemas.android.com/apk/res/android" package="{package_id}" '
                    f'android:versionName="{version}"/>\n').encode()
        return _zip({"AndroidManifest.xml": manifest, "PLACEHOLDER.txt": note}), name
    bundle = name.split(".", 1)[0] or "App"
    plist = plistlib.dumps({"CFBundleIdentifier": package_id,
                            "CFBundleShortVersionString": version,
                            "CFBundleName": bundle}, sort_keys=True)
    members = {f"{bundle}.app/Info.plist": plist, f"{bundle}.app/PLACEHOLDER.txt": note}
    if lowered.endswith(".zip"):
        return _zip(members), name
    if lowered.endswith((".tar.gz", ".tgz")):
        return _gzip(_tar(members)), name
    if lowered.endswith(".tar"):
        return _tar(members), name
    return note, name


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, _EPOCH), data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), _EPOCH_SECONDS, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as stream:
        stream.write(data)
    return buffer.getvalue()
