"""The org's file library (``revyl file``) and the iOS StoreKit config references that point
into it (``revyl app|test storekit``).

Files travel the presigned way, as on the real service: ``upload-url`` (or ``replace-url``)
answers a URL on the emulator (``/_emulator/uploads/{namespace}/files/{upload_id}``, no bearer
token: the namespace key and the unguessable upload id are the credential), the client PUTs
the bytes there, and ``complete-upload`` makes them the file's content. A new file is listed
only once completed; a replacement keeps the file's id (``revyl-file://`` references stay
valid) and its old bytes until it completes. Downloads are served the same way
(``/_emulator/downloads/{namespace}/files/{file_id}``).
"""

from __future__ import annotations

import mimetypes
import posixpath
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, NotFound, PayloadTooLarge
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl import records
from emulator.revyl.builds import presigned_target
from emulator.revyl.catalog import Catalog

UPLOAD_TTL_SECONDS = 3600
MB = 1024 * 1024
# The extensions the library takes and the size cap of each kind (the CLI checks the same).
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".pdf"}
MEDIA = {".mp4", ".mp3", ".wav", ".m4a", ".aac"}
CERTS_AND_CONFIG = {".pem", ".cer", ".crt", ".key", ".p12", ".pfx", ".der", ".json", ".xml",
                    ".yaml", ".yml", ".toml", ".csv", ".txt", ".conf", ".cfg", ".ini",
                    ".properties", ".storekit"}
SCOPES = ("app", "build", "test")
# Python's own table only (mimetypes' module functions also read /etc/mime.types): the same
# content type on every machine.
TYPES = mimetypes.MimeTypes()
MODES = ("file", "disabled")


def size_cap(filename: str) -> int:
    ext = posixpath.splitext(filename.lower())[1]
    if ext in MEDIA:
        return 500 * MB
    if ext in IMAGES:
        return 250 * MB
    if ext in CERTS_AND_CONFIG:
        return 50 * MB
    allowed = " ".join(sorted(CERTS_AND_CONFIG | IMAGES | MEDIA))
    raise BadRequest(f"Unsupported file extension '{ext or filename}'; allowed: {allowed}")


@dataclass
class OrgFile:
    id: str
    filename: str
    content_type: str
    created_at: str
    updated_at: str
    description: str | None = None
    status: str = "pending"  # "uploaded" once a complete-upload found the bytes
    data: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class FileUpload:
    """A presigned upload the client has not completed yet (a new file or a replacement)."""

    id: str
    file_id: str
    filename: str
    content_type: str
    declared_size: int
    expires_at: float
    description: str | None = None
    data: bytes | None = None


@dataclass
class StoreKitRef:
    id: str
    scope_type: str
    scope_id: str
    mode: str
    file_id: str | None = None


@dataclass
class Ticket:
    """What ``upload-url`` / ``replace-url`` hand out."""

    file: OrgFile
    upload: FileUpload
    s3_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.s3_key = f"org-files/{self.file.id}/{self.upload.id}"


class Files:
    """The namespace's org files, their pending uploads and the StoreKit references."""

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 namespace_key: str) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.namespace_key = namespace_key
        self.files: dict[str, OrgFile] = {}
        self.uploads: dict[str, FileUpload] = {}
        self.storekit: dict[tuple[str, str], StoreKitRef] = {}

    # ------------------------------------------------------------------ the library
    def listing(self, limit: int, offset: int) -> tuple[list[OrgFile], int]:
        """Completed files, oldest first: (one page, how many in all)."""
        done = [f for f in self.files.values() if f.status == "uploaded"]
        return done[offset:offset + limit], len(done)

    def file(self, file_id: str) -> OrgFile:
        found = self.files.get(file_id)
        if found is None:
            raise NotFound("File not found")
        return found

    def uploaded(self, file_id: str) -> OrgFile:
        """A file whose bytes are here (a new file still uploading is not found yet)."""
        found = self.file(file_id)
        if found.data is None:
            raise NotFound("File not found: its upload was never completed")
        return found

    def open_upload(self, filename: str, file_size: int, display_name: str | None = None,
                    description: str | None = None, content_type: str | None = None) -> Ticket:
        name = self._checked(filename, display_name, file_size)
        now = self.clock.now_iso()
        created = OrgFile(self.ids.uuid(), name, self._type(name, content_type), now, now,
                          description or None)
        self.files[created.id] = created
        return self._ticket(created, name, file_size, description, created.content_type)

    def open_replace(self, file_id: str, filename: str, file_size: int,
                     display_name: str | None = None, description: str | None = None,
                     content_type: str | None = None) -> Ticket:
        existing = self.uploaded(file_id)
        name = self._checked(filename, display_name, file_size)
        return self._ticket(existing, name, file_size, description,
                            self._type(name, content_type))

    def receive(self, upload_id: str, data: bytes) -> FileUpload:
        """The presigned PUT: an unknown upload is a 404, an expired URL a 403."""
        upload = presigned_target(self.uploads, upload_id, self.clock.now())
        upload.data = data
        return upload

    def complete(self, file_id: str, s3_key: str | None = None,
                 changes: dict[str, Any] | None = None) -> OrgFile:
        """Make the file's pending upload (the one ``s3_key`` names, else its latest) its
        content. A file with nothing pending is answered as it is (a repeated call)."""
        target = self.file(file_id)
        pending = [u for u in self.uploads.values() if u.file_id == target.id]
        if s3_key:
            pending = [u for u in pending if f"org-files/{target.id}/{u.id}" == s3_key]
            if not pending:
                raise BadRequest("s3_key does not name an upload of this file")
        if not pending:
            if target.data is None:
                raise BadRequest("The file's bytes were never uploaded")
            return target
        upload = pending[-1]
        if upload.data is None:
            raise BadRequest("The file's bytes were never uploaded: PUT them to the upload_url "
                             "first")
        if len(upload.data) != upload.declared_size:
            raise BadRequest(f"Uploaded {len(upload.data)} bytes, but file_size said "
                             f"{upload.declared_size}")
        changes = changes or {}
        target.data = upload.data
        target.filename = changes.get("filename") or upload.filename
        target.content_type = changes.get("content_type") or upload.content_type
        description = changes.get("description") or upload.description
        if description:
            target.description = description
        target.status = "uploaded"
        target.updated_at = self.clock.now_iso()
        for other in pending:
            del self.uploads[other.id]
        return target

    def update(self, file_id: str, filename: str | None, description: str | None) -> OrgFile:
        """Rename (the extension must stay) and/or describe (empty clears)."""
        target = self.uploaded(file_id)
        if filename is not None:
            name = filename.strip()
            if not name:
                raise BadRequest("filename must not be empty")
            old_ext = posixpath.splitext(target.filename.lower())[1]
            if posixpath.splitext(name.lower())[1] != old_ext:
                raise BadRequest(f"The new name must keep the extension '{old_ext}'")
            target.filename = name
        if description is not None:
            target.description = description or None
        target.updated_at = self.clock.now_iso()
        return target

    def delete(self, file_id: str) -> OrgFile:
        """Forget the file and its pending uploads. StoreKit references to it stay, dangling
        (the CLI warns: tests referencing a deleted file fail on their next run)."""
        gone = self.files.pop(self.file(file_id).id)
        for upload_id in [u.id for u in self.uploads.values() if u.file_id == gone.id]:
            del self.uploads[upload_id]
        return gone

    def _checked(self, filename: str, display_name: str | None, size: int) -> str:
        name = (display_name or filename).strip()
        if not filename.strip() or not name:
            raise BadRequest("filename must not be empty")
        cap = size_cap(filename)
        if size > cap:
            raise PayloadTooLarge(f"{filename} is {size} bytes; the limit for this kind of "
                                  f"file is {cap // MB} MB")
        return name

    @staticmethod
    def _type(name: str, content_type: str | None) -> str:
        return content_type or TYPES.guess_type(name)[0] or "application/octet-stream"

    def _ticket(self, target: OrgFile, name: str, size: int, description: str | None,
                content_type: str) -> Ticket:
        upload = FileUpload(self.ids.uuid(), target.id, name, content_type, size,
                            self.clock.now() + UPLOAD_TTL_SECONDS, description or None)
        self.uploads[upload.id] = upload
        return Ticket(target, upload)

    def upload_url(self, base_url: str, upload: FileUpload) -> str:
        return f"{base_url.rstrip('/')}/_emulator/uploads/{self.namespace_key}/files/{upload.id}"

    def download_url(self, base_url: str, target: OrgFile) -> str:
        return (f"{base_url.rstrip('/')}/_emulator/downloads/{self.namespace_key}/files/"
                f"{target.id}")

    # ------------------------------------------------------------------ StoreKit refs
    def _scope(self, scope_type: str, scope_id: str) -> tuple[str, str]:
        if scope_type not in SCOPES:
            raise BadRequest(f"scope_type must be one of {', '.join(SCOPES)}")
        known = {"test": lambda: scope_id in self.catalog.tests,
                 "app": lambda: scope_id in self.catalog.apps,
                 "build": lambda: any(b.id == scope_id for a in self.catalog.apps.values()
                                      for b in a.builds)}
        if not known[scope_type]():
            raise NotFound(f"{scope_type.capitalize()} not found")
        return scope_type, scope_id

    def storekit_ref(self, scope_type: str, scope_id: str) -> StoreKitRef | None:
        """The scope's explicit config, None when it inherits the default."""
        return self.storekit.get(self._scope(scope_type, scope_id))

    def set_storekit(self, scope_type: str, scope_id: str, mode: str,
                     file_id: str | None) -> StoreKitRef:
        """``file`` needs an uploaded org file; ``disabled`` takes none."""
        scope = self._scope(scope_type, scope_id)
        if mode not in MODES:
            raise BadRequest(f"mode must be one of {', '.join(MODES)}")
        if mode == "file":
            if not file_id:
                raise BadRequest("mode 'file' needs a file_id")
            self.uploaded(file_id)
        elif file_id:
            raise BadRequest("mode 'disabled' takes no file_id")
        ref = self.storekit.get(scope)
        if ref is None:
            ref = self.storekit[scope] = StoreKitRef(self.ids.uuid(), *scope, mode)
        ref.mode, ref.file_id = mode, file_id if mode == "file" else None
        return ref

    def clear_storekit(self, scope_type: str, scope_id: str) -> None:
        """Back to the inherited default; clearing a scope with nothing set is a no-op."""
        self.storekit.pop(self._scope(scope_type, scope_id), None)

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Files and pending uploads with their bytes as base64; the StoreKit refs."""
        def with_bytes(record: OrgFile | FileUpload) -> dict[str, Any]:
            return {**{k: v for k, v in asdict(record).items() if k != "data"},
                    "data": records.b64(record.data)}

        return {"org_files": [with_bytes(f) for f in self.files.values()],
                "org_file_uploads": [with_bytes(u) for u in self.uploads.values()],
                "storekit_refs": [asdict(r) for r in self.storekit.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before these parts existed restore to none. An upload's expiry is a
        time compared on use, not a timer."""
        self.files = {f["id"]: OrgFile(**{**f, "data": records.unb64(f.get("data"))})
                      for f in data.get("org_files", [])}
        self.uploads = {u["id"]: FileUpload(**{**u, "data": records.unb64(u.get("data"))})
                        for u in data.get("org_file_uploads", [])}
        self.storekit = {}
        for raw in data.get("storekit_refs", []):
            ref = StoreKitRef(**raw)
            self.storekit[(ref.scope_type, ref.scope_id)] = ref
        return []


# ---------------------------------------------------------------------------- wire shapes
def file_doc(f: OrgFile, org: dict[str, Any]) -> dict[str, Any]:
    """``CLIOrgFile``."""
    body: dict[str, Any] = {"id": f.id, "org_id": org["org_id"], "user_id": org["user_id"],
                            "filename": f.filename, "file_size": f.size,
                            "content_type": f.content_type, "status": f.status,
                            "created_at": f.created_at, "updated_at": f.updated_at}
    if f.description:
        body["description"] = f.description
    return body


def ticket_doc(ticket: Ticket, url: str, org: dict[str, Any]) -> dict[str, Any]:
    """``CLIOrgFileUploadResponse``: the client PUTs with exactly ``content_type``."""
    return {"file": file_doc(ticket.file, org), "upload_url": url, "s3_key": ticket.s3_key,
            "expires_in": UPLOAD_TTL_SECONDS, "content_type": ticket.upload.content_type}


def storekit_doc(ref: StoreKitRef | None, files: Files) -> dict[str, Any] | None:
    """``StoreKitConfigRef``; a file deleted since reads as no name and no size."""
    if ref is None:
        return None
    target = files.files.get(ref.file_id or "")
    return {"id": ref.id, "scope_type": ref.scope_type, "scope_id": ref.scope_id,
            "mode": ref.mode, "file_id": ref.file_id,
            "filename": target.filename if target else None,
            "file_size": target.size if target else None}
