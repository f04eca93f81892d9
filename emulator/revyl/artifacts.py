"""What the emulator learns from an uploaded build: kind, size, sha256 and package id.

Package ids are read from the artifact where that is possible offline: an Android ``.apk`` is a
zip whose ``AndroidManifest.xml`` is Android binary XML (the ``package`` attribute of
``<manifest>``); an iOS simulator build is a zip (or tar) of ``X.app/Info.plist``
(``CFBundleIdentifier``, XML or binary plist). Anything unreadable (the clients' own test
files are a few fake bytes) gets a deterministic fallback derived from the app name, so the
same upload always yields the same id.
"""

from __future__ import annotations

import hashlib
import io
import plistlib
import re
import struct
import tarfile
import zipfile
from dataclasses import dataclass, field
from typing import IO

from emulator.core.errors import ApiError, BadRequest

REJECTED = {".ipa": "IPA files are device builds; upload a simulator .app zipped (.zip)",
            ".aab": "Android App Bundles cannot be installed; upload an .apk",
            ".apks": "Split APK sets are not supported; upload a universal .apk"}
CONTENT_TYPES = {".apk": "application/vnd.android.package-archive", ".zip": "application/zip",
                 ".gz": "application/gzip", ".tgz": "application/gzip",
                 ".tar": "application/x-tar"}


@dataclass
class ArtifactInfo:
    kind: str
    size: int
    sha256: str
    package_id: str | None
    warnings: list[str] = field(default_factory=list)


def content_type_for(file_name: str) -> str:
    lowered = file_name.lower()
    for ext, ctype in CONTENT_TYPES.items():
        if lowered.endswith(ext):
            return ctype
    return "application/octet-stream"


MAX_FILE_NAME_BYTES = 255  # what file systems and S3 clients agree on for one name


def check_file_name(file_name: str) -> None:
    """400 ``{"detail": ...}`` for a name that is not one plain file name (a directory part,
    ``..``, NUL or other control characters, over 255 bytes): the name ends up in artifact
    URLs, download headers and users' file systems. 400 ``build_artifact_rejected`` for
    artifact types no device can install."""
    if (file_name in (".", "..") or any(c in file_name for c in "/\\")
            or any(ord(c) < 32 or ord(c) == 127 for c in file_name)
            or len(file_name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME_BYTES):
        raise BadRequest("Invalid file_name: use a plain file name such as app.apk (no '/' or "
                         "'\\', no '..', no control characters, at most "
                         f"{MAX_FILE_NAME_BYTES} bytes)")
    lowered = file_name.lower()
    for ext, message in REJECTED.items():
        if lowered.endswith(ext):
            raise ApiError({"code": "build_artifact_rejected", "message": message}, 400)


def inspect(data: bytes, file_name: str) -> ArtifactInfo:
    lowered = file_name.lower()
    kind = "apk" if lowered.endswith(".apk") else "ios_app" if lowered.endswith(
        (".zip", ".tar.gz", ".tgz", ".tar")) else "unknown"
    warnings: list[str] = []
    package_id: str | None = None
    try:
        if kind == "apk":
            package_id = _apk_package(data)
        elif kind == "ios_app":
            package_id = _ios_bundle_id(data)
    except Exception as exc:  # a corrupt upload is a warning, never a 500
        warnings.append(f"Could not read the artifact: {type(exc).__name__}")
    if package_id is None and not warnings:
        warnings.append("Package id not found in the artifact; using a generated one")
    return ArtifactInfo(kind, len(data), hashlib.sha256(data).hexdigest(), package_id, warnings)


def fallback_package_id(app_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "", app_name.lower()) or "app"
    return f"com.emulated.{'app' + slug if slug[0].isdigit() else slug}"


MAX_MEMBER_BYTES = 4 * 1024 * 1024  # a manifest or an Info.plist is a few KiB


def bounded_read(member: IO[bytes]) -> bytes:
    """A member's bytes, decompressed no further than ``MAX_MEMBER_BYTES``: a few hundred KiB
    of deflated zeros named AndroidManifest.xml expanded to hundreds of MB when read whole."""
    with member:
        blob = member.read(MAX_MEMBER_BYTES + 1)
    if len(blob) > MAX_MEMBER_BYTES:
        raise ValueError(f"archive member larger than {MAX_MEMBER_BYTES} bytes")
    return blob


# ------------------------------------------------------------------------------ Android
def _apk_package(data: bytes) -> str | None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = bounded_read(archive.open("AndroidManifest.xml"))
    if manifest.lstrip().startswith(b"<"):
        match = re.search(rb'<manifest[^>]*\spackage="([^"]+)"', manifest)
        return match.group(1).decode() if match else None
    return axml_manifest_package(manifest)


def axml_manifest_package(blob: bytes) -> str | None:
    """The ``package`` attribute of the first ``<manifest>`` element of Android binary XML."""
    kind, header_size, _ = struct.unpack_from("<HHI", blob, 0)
    if kind != 0x0003:
        raise ValueError("not Android binary XML")
    offset, strings = header_size, []
    while offset + 8 <= len(blob):
        chunk_type, _chunk_header, chunk_size = struct.unpack_from("<HHI", blob, offset)
        if chunk_size < 8:
            raise ValueError("corrupt chunk")
        if chunk_type == 0x0001:
            strings = _string_pool(blob, offset)
        elif chunk_type == 0x0102:
            name_index = struct.unpack_from("<I", blob, offset + 20)[0]
            attr_start, attr_size, attr_count = struct.unpack_from("<HHH", blob, offset + 24)
            if strings[name_index] == "manifest":
                base = offset + 16 + attr_start
                for i in range(attr_count):
                    _, name, raw, _, _, dtype, value = struct.unpack_from(
                        "<IIIHBBI", blob, base + i * attr_size)
                    if strings[name] == "package":
                        index = raw if raw != 0xFFFFFFFF else value if dtype == 0x03 else None
                        return strings[index] if index is not None else None
                return None
        offset += chunk_size
    return None


def _string_pool(blob: bytes, offset: int) -> list[str]:
    _, header_size, _, count, _, flags, strings_start, _ = struct.unpack_from(
        "<HHIIIIII", blob, offset)
    utf8 = bool(flags & 0x100)
    offsets = struct.unpack_from(f"<{count}I", blob, offset + header_size)
    base = offset + strings_start
    result = []
    for start in offsets:
        pos = base + start
        if utf8:
            pos += 2 if blob[pos] & 0x80 else 1  # character count
            length = blob[pos]
            if length & 0x80:
                length = ((length & 0x7F) << 8) | blob[pos + 1]
                pos += 1
            pos += 1
            result.append(blob[pos:pos + length].decode("utf-8", "replace"))
        else:
            length = struct.unpack_from("<H", blob, pos)[0]
            if length & 0x8000:
                length = ((length & 0x7FFF) << 16) | struct.unpack_from("<H", blob, pos + 2)[0]
                pos += 2
            pos += 2
            result.append(blob[pos:pos + 2 * length].decode("utf-16-le", "replace"))
    return result


# ------------------------------------------------------------------------------ iOS
def _ios_bundle_id(data: bytes) -> str | None:
    """``CFBundleIdentifier`` of ``X.app/Info.plist`` in a zip or (gzipped) tar; an IPA's
    ``Payload/X.app`` does not count (device builds cannot run on a simulator)."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next((n for n in archive.namelist() if _is_app_plist(n)), None)
            if name is None:
                return None
            return plistlib.loads(bounded_read(archive.open(name))).get("CFBundleIdentifier")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:  # gz or plain; raises if neither
        member = next((m for m in tar.getmembers() if m.isfile() and _is_app_plist(m.name)),
                      None)
        handle = tar.extractfile(member) if member else None
        return plistlib.loads(bounded_read(handle)).get("CFBundleIdentifier") if handle else None


def _is_app_plist(name: str) -> bool:
    parts = name.strip("/").split("/")
    return (len(parts) >= 2 and parts[-1] == "Info.plist" and parts[-2].endswith(".app")
            and "Payload" not in parts)
