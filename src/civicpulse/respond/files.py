"""Files people upload (case attachments, field photos): checked by size and real type, kept under DATA_DIR.

The type is read from the file's first bytes, never trusted from the browser. Images are re-encoded without
their metadata: EXIF can carry a phone's GPS position, which would locate a collaborator to the metre.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from civicpulse.errors import InputError

MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Larger images are refused before decoding (a decompression bomb is a small file that expands hugely).
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class StoredFile:
    """A file written under DATA_DIR: path relative to it, real type, size and digest."""

    path: str
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> tuple[str, str]:
    """Return (content type, extension) from the first bytes, or ("", "") when unknown."""
    for magic, content_type, ext in MAGIC:
        if data.startswith(magic):
            return content_type, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return "", ""
    return "text/plain", "txt"


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode an image upright and without EXIF (GPS included); raise `InputError` if it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InputError("the image is too large (over 40 megapixels); send a smaller photo")
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.save(out, format=fmt, quality=88) if fmt != "PNG" else upright.save(out, format=fmt)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InputError(f"the image cannot be read ({exc}); send a JPEG, PNG or WebP photo") from exc
    return out.getvalue()


def keep_file(
    data: bytes, *, root: Path, folder: str, allowed: frozenset[str] | set[str], max_bytes: int
) -> StoredFile:
    """Check `data` and write it to `root/folder/<sha256>.<ext>`; raise `InputError` saying what is wrong."""
    if not data:
        raise InputError("the file is empty; choose the file again")
    if len(data) > max_bytes:
        raise InputError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB")
    content_type, ext = sniff(data)
    if content_type not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise InputError(
            f"this kind of file ({content_type or 'unknown'}) is not accepted; send one of: {kinds}"
        )
    if content_type in IMAGE_TYPES:
        data = strip_metadata(data, content_type)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(folder) / f"{digest}.{ext}"
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(data)
    return StoredFile(path=relative.as_posix(), content_type=content_type, size=len(data), sha256=digest)


def read_kept(root: Path, relative: str) -> bytes:
    """Read a kept file back; refuse paths that leave `root`."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise InputError("that file is not one civicpulse keeps")
    return target.read_bytes()
