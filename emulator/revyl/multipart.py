"""Multipart build uploads, as the CLI sends artifacts over 64 MiB (S3 multipart upload).

``start`` opens a staged presigned upload (emulator/revyl/builds.py, as ``upload-session``
does) and hands out one presigned URL per part plus a complete and an abort URL, all on the
emulator itself and shaped as S3's: the upload's own URL with ``?partNumber=N&uploadId=S``
(``PUT``), ``?uploadId=S`` (``POST`` completes, ``DELETE`` aborts). Each part ``PUT`` answers
an ``ETag`` header (the part's quoted MD5, as S3). The complete request is S3's
``CompleteMultipartUpload`` XML listing each part's number and ETag: checked, the parts are
joined into the staged upload's bytes and the answer is ``<CompleteMultipartUploadResult>``;
the client then creates the build with ``POST /api/v1/apps/{app_id}/builds {upload_id}`` as
after a single PUT. ``resume`` re-issues the URLs of an interrupted upload and lists the parts
already stored; an upload that is gone (completed, aborted, expired, unknown) is 410, one whose
version, file or size differ is 409, the two answers that make the CLI start over.

Errors of the S3-side URLs carry S3's error code and message in the emulator's error shape,
``{"detail": {"code": "NoSuchUpload", "message": ...}}`` (every emulator answer is
``{"detail"}``-shaped); the CLI only looks for the code (``NoSuchUpload``) in the body.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import ApiError, BadRequest, Conflict
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl import records
from emulator.revyl.builds import Builds, PendingUpload

PART_SIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000  # S3's limit
TTL_SECONDS = 24 * 3600.0  # presigned part URLs last a day (the CLI plans for that window)
MAX_COMPLETE_XML = 1024 * 1024


class S3Error(ApiError):
    """An answer of the emulated S3 side, with S3's error code."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__({"code": code, "message": message}, status)
        self.code = code
        self.message = message


class Gone(ApiError):
    status_code = 410


@dataclass
class MultipartSession:
    upload_id: str  # the staged upload's id in Builds.uploads
    s3_upload_id: str
    app_id: str
    version: str
    file_name: str
    file_size: int
    part_size: int
    expires_at: float
    parts: dict[int, bytes] = field(default_factory=dict)

    @property
    def part_count(self) -> int:
        return math.ceil(self.file_size / self.part_size)


def etag(data: bytes) -> str:
    return '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'


class MultipartUploads:
    def __init__(self, builds: Builds, clock: VirtualClock, ids: IdGenerator) -> None:
        self.builds = builds
        self.clock = clock
        self.ids = ids
        self.sessions: dict[str, MultipartSession] = {}

    # ------------------------------------------------------------------ API side
    def start(self, app_id: str, version: str, file_name: str, file_size: int, *,
              max_bytes: int, branch_id: str | None = None,
              branch_name: str | None = None) -> MultipartSession:
        if file_size <= 0:
            raise BadRequest("file_size must be a positive number of bytes")
        if file_size > max_bytes:
            raise ApiError(f"Artifact too large (limit {max_bytes} bytes)", 413)
        self._prune()
        upload = self.builds.open_upload(app_id, version, file_name, create_pending_build=False,
                                         branch_id=branch_id, branch_name=branch_name)
        upload.expires_at = self.clock.now() + TTL_SECONDS
        part_size = max(PART_SIZE, math.ceil(file_size / MAX_PARTS))
        session = MultipartSession(upload.id, self.ids.token(24), upload.app_id, upload.version,
                                   upload.file_name, file_size, part_size, upload.expires_at)
        self.sessions[session.upload_id] = session
        return session

    def resume(self, app_id: str, upload_id: str, s3_upload_id: str, version: str,
               file_name: str, file_size: int) -> MultipartSession:
        session = self.sessions.get(upload_id)
        if session is None or session.app_id != app_id or self._expired(session):
            raise Gone("Multipart upload not found or expired: start a new one")
        if (s3_upload_id, version, file_name, file_size) != (
                session.s3_upload_id, session.version, session.file_name, session.file_size):
            raise Conflict("The multipart upload was started for another artifact: start a "
                           "new one")
        return session

    # ------------------------------------------------------------------ S3 side
    def put_part(self, upload_id: str, s3_upload_id: str, part_number: int,
                 data: bytes) -> str:
        """Store one part (a re-sent part replaces the earlier one); its ETag."""
        session = self._live(upload_id, s3_upload_id)
        if not 1 <= part_number <= session.part_count:
            raise S3Error("InvalidArgument", f"Part number must be between 1 and "
                                             f"{session.part_count}", 400)
        if len(data) > session.part_size:
            raise S3Error("EntityTooLarge", f"A part is at most {session.part_size} bytes", 400)
        session.parts[part_number] = data
        return etag(data)

    def complete(self, upload_id: str, s3_upload_id: str,
                 body: bytes) -> tuple[MultipartSession, str]:
        """Join the parts the XML lists into the staged upload: (session, the object's ETag)."""
        session = self._live(upload_id, s3_upload_id)
        listed = parse_complete(body)
        numbers = [n for n, _ in listed]
        if numbers != sorted(set(numbers)):
            raise S3Error("InvalidPartOrder", "Parts must be listed once each, in ascending "
                                              "order", 400)
        chunks = []
        for number, tag in listed:
            stored = session.parts.get(number)
            if stored is None or etag(stored).strip('"') != tag.strip().strip('"'):
                raise S3Error("InvalidPart", f"Part {number} was not uploaded or its ETag "
                                             "does not match", 400)
            chunks.append(stored)
        if any(len(c) != session.part_size for c in chunks[:-1]):
            raise S3Error("EntityTooSmall", "Every part but the last must be "
                                            f"{session.part_size} bytes", 400)
        data = b"".join(chunks)
        if len(data) != session.file_size:
            raise S3Error("InvalidPart", f"The parts hold {len(data)} bytes, the upload was "
                                         f"started for {session.file_size}", 400)
        self.builds.receive(upload_id, data)
        del self.sessions[upload_id]
        digest = hashlib.md5(b"".join(bytes.fromhex(etag(c).strip('"')) for c in chunks),
                             usedforsecurity=False).hexdigest()
        return session, f'"{digest}-{len(chunks)}"'

    def abort(self, upload_id: str, s3_upload_id: str) -> None:
        """Forget the parts and the staged upload (no build exists yet)."""
        session = self.sessions.get(upload_id)
        if session is None or session.s3_upload_id != s3_upload_id:
            raise S3Error("NoSuchUpload", "The specified multipart upload does not exist", 404)
        del self.sessions[upload_id]
        self.builds.uploads.pop(upload_id, None)

    def _live(self, upload_id: str, s3_upload_id: str) -> MultipartSession:
        session = self.sessions.get(upload_id)
        if session is None or session.upload_id not in self.builds.uploads \
                or session.s3_upload_id != s3_upload_id:
            raise S3Error("NoSuchUpload", "The specified multipart upload does not exist. The "
                                          "upload ID may be invalid, or the upload may have "
                                          "been aborted or completed.", 404)
        if self._expired(session):
            raise S3Error("AccessDenied", "Request has expired", 403)
        return session

    def _expired(self, session: MultipartSession) -> bool:
        staged: PendingUpload | None = self.builds.uploads.get(session.upload_id)
        return staged is None or self.clock.now() > session.expires_at

    def _prune(self) -> None:
        """Forget sessions nobody can finish any more (expired, or their app deleted)."""
        self.sessions = {k: s for k, s in self.sessions.items() if not self._expired(s)}

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Unfinished multipart uploads with the parts stored so far (base64)."""
        return {"multipart_uploads": [
            {**{k: v for k, v in vars(s).items() if k != "parts"},
             "parts": {str(n): records.b64(d) for n, d in sorted(s.parts.items())}}
            for s in self.sessions.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Expiry is compared on use: nothing to re-arm. Older documents have none."""
        self.sessions = {}
        for raw in data.get("multipart_uploads", []):
            parts = {int(n): records.unb64(d) or b"" for n, d in raw.get("parts", {}).items()}
            session = MultipartSession(**{**raw, "parts": parts})
            self.sessions[session.upload_id] = session
        return []


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_complete(body: bytes) -> list[tuple[int, str]]:
    """(part number, ETag) pairs of a ``CompleteMultipartUpload`` document, in its order.
    Documents with a DTD are refused unread (entity expansion), as S3 does."""
    if len(body) > MAX_COMPLETE_XML or _DOCTYPE.search(body):
        raise S3Error("MalformedXML", "The XML you provided was not well-formed", 400)
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise S3Error("MalformedXML", "The XML you provided was not well-formed", 400) from None
    if _local(root.tag) != "CompleteMultipartUpload":
        raise S3Error("MalformedXML", "Expected a CompleteMultipartUpload document", 400)
    found: list[tuple[int, str]] = []
    for part in root:
        if _local(part.tag) != "Part":
            continue
        fields = {_local(child.tag): (child.text or "") for child in part}
        number = fields.get("PartNumber", "").strip()
        if not re.fullmatch(r"[0-9]{1,5}", number) or "ETag" not in fields:
            raise S3Error("MalformedXML", "Each Part needs a PartNumber and an ETag", 400)
        found.append((int(number), fields["ETag"]))
    if not found:
        raise S3Error("MalformedXML", "The XML you provided listed no parts", 400)
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
