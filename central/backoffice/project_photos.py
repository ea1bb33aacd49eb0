"""A village project's photos: added and removed by its office in the back office, served to
the kiosks (and anyone: village information is public) by id.

An office's photo comes from a phone: megapixels, a few megabytes, EXIF with the place it was
taken and the phone's owner. What is stored is what a kiosk shows: the upload is decoded in
full (a JPEG or PNG, nothing else; a truncated or forged file fails), turned upright from its
EXIF orientation, downscaled to at most ``MAX_EDGE_PX`` on its long side and re-encoded as a
baseline JPEG with no metadata at all. So every stored photo is bounded (``MAX_PHOTO_BYTES``),
and nothing of the original file but its pixels reaches a kiosk.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.backoffice.village_info import project_of_office
from central.contract.services import MAX_PROJECT_PHOTO_BYTES
from central.errors import ApiError
from central.models import ProjectPhoto
from central.services.document_check import MAX_IMAGE_PIXELS

MAX_EDGE_PX = 1280  # a kiosk's information screen is 1280×800 at most; a photo is a part of it
MAX_PHOTOS_PER_PROJECT = 8
JPEG_QUALITIES = (82, 70, 55)  # tried in turn until the photo fits in MAX_PHOTO_BYTES
MAX_PHOTO_BYTES = MAX_PROJECT_PHOTO_BYTES  # what a kiosk reads at most
PHOTO_TYPE = "image/jpeg"
ACCEPTED_FORMATS = ("JPEG", "PNG")
PHOTO_ID_PREFIX = "pho-"


@dataclass(frozen=True)
class Prepared:
    """A photo ready to store: a JPEG without metadata and its size in pixels."""

    content: bytes
    width: int
    height: int


def not_an_image() -> ApiError:
    return ApiError(
        422,
        "photo_not_image",
        "Berkas bukan foto JPEG atau PNG yang utuh. Pilih foto lain.",
        "The file is not a complete JPEG or PNG photo. Choose another photo.",
    )


def too_many() -> ApiError:
    return ApiError(
        409,
        "photo_limit",
        f"Satu kegiatan paling banyak {MAX_PHOTOS_PER_PROJECT} foto. Hapus foto lama dulu.",
        f"A project has at most {MAX_PHOTOS_PER_PROJECT} photos. Remove an old one first.",
        {"max_photos": MAX_PHOTOS_PER_PROJECT},
    )


def _decoded(content: bytes) -> Image.Image:
    """Every pixel decoded, or ``not_an_image`` (also for a decompression bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(content), formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise not_an_image()
            # A JPEG is decoded at the smallest DCT scale still at least MAX_EDGE_PX on each
            # side (a 12 MP phone photo: 1/2 or 1/4 the memory and time); every byte of the
            # stream is still read, so a truncated file fails as before.
            image.draft("RGB", (MAX_EDGE_PX, MAX_EDGE_PX))
            image.load()
            return image
    except ApiError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise not_an_image() from None


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (a PNG logo or screenshot), upright per its EXIF."""
    upright = ImageOps.exif_transpose(image) or image  # None only when in_place=True
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return upright.convert("RGB")


def prepare(content: bytes) -> Prepared:
    """The upload decoded, upright, downscaled and re-encoded without metadata."""
    image = _flattened(_decoded(content))
    image.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX), Image.Resampling.LANCZOS)
    while True:
        for quality in JPEG_QUALITIES:
            out = io.BytesIO()
            # No exif=, icc_profile= or comment: Pillow writes none of the original's.
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= MAX_PHOTO_BYTES:
                return Prepared(out.getvalue(), image.width, image.height)
        # Still too large at the lowest quality (pure noise): smaller, until it fits (a
        # 1280 px photo fits by 640 px at the latest, so this ends).
        image.thumbnail((image.width * 3 // 4, image.height * 3 // 4), Image.Resampling.LANCZOS)


def stored(photo_id: str, project_id: str, prepared: Prepared, added_at: datetime) -> ProjectPhoto:
    """The row for a prepared photo (uploaded or seeded alike)."""
    return ProjectPhoto(
        id=photo_id,
        project_id=project_id,
        content_type=PHOTO_TYPE,
        width=prepared.width,
        height=prepared.height,
        size_bytes=len(prepared.content),
        sha256=hashlib.sha256(prepared.content).hexdigest(),
        content=prepared.content,
        added_at=added_at,
    )


def add(
    db: Session, office_id: str, project_id: str, content: bytes, now: datetime
) -> ProjectPhoto:
    """Stores the photo and appends it to the project's ``photo_ids``; committed."""
    project = project_of_office(db, office_id, project_id)
    if len(project.photo_ids) >= MAX_PHOTOS_PER_PROJECT:
        raise too_many()
    photo = stored(PHOTO_ID_PREFIX + secrets.token_hex(8), project.id, prepare(content), now)
    db.add(photo)
    project.photo_ids = [*project.photo_ids, photo.id]  # a new list: JSON columns track assignment
    db.commit()
    return photo


def remove(db: Session, office_id: str, project_id: str, photo_id: str) -> None:
    """Deletes one of the project's photos; another project's (or office's) is not found."""
    project = project_of_office(db, office_id, project_id)
    photo = db.get(ProjectPhoto, photo_id[:32])
    if photo is None or photo.project_id != project.id:
        raise ApiError(404, "photo_unknown", "Foto tidak ditemukan.", "No such photo.")
    project.photo_ids = [p for p in project.photo_ids if p != photo.id]
    db.delete(photo)
    db.commit()


def find(db: Session, project_id: str, photo_id: str) -> ProjectPhoto | None:
    """The photo if it is this project's (the public route names both)."""
    return db.scalar(
        select(ProjectPhoto).where(
            ProjectPhoto.id == photo_id[:32], ProjectPhoto.project_id == project_id[:32]
        )
    )
