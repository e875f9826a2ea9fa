"""Athletes' photos for readers: uploads checked and kept, renditions made on demand and cached.

An upload (`prepare`) must be a JPEG, PNG or WebP picture that Pillow can
read, of at most `MAX_UPLOAD_BYTES` and at least `MIN_SIDE` pixels on each
side; anything else is refused with a message that says what to do, never a
server error. What is kept (`PhotoOriginal`) is the picture turned upright by
its EXIF orientation, in sRGB, without any metadata (camera, place, time),
scaled down to at most `KEPT_LONG_SIDE` pixels and saved once as a
high-quality JPEG: the largest rendition is far smaller, and a phone's
location never reaches the database or a backup.

Renditions (`rendition`, at `/photos/<digest>/<shape>-<width>.<format>`) are
made from the kept picture on first request, in one of two `SHAPES` (a
square crop for the cards and the medal strip, the whole picture for the
athlete's page), at a few widths, as AVIF, WebP or JPEG. Each is kept in the
shared cache, so one server's work serves them all, and sent with a year's
immutable `Cache-Control` and an ETag: the address carries the picture's
digest, so a new picture gets new addresses. Each stays within a byte budget
(`byte_budget`): a card's picture is at most 30 KB at its width and twice it.

Pages describe a photo with `picture()`, which lists the renditions for one
of the places it is shown (`DISPLAYS`). Only a picture that some athlete's
photo uses is served: a replaced or removed photo stops being served here
(copies already cached by browsers stay theirs).
"""

import dataclasses
import io
import warnings

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from PIL import Image, ImageCms, ImageOps

from team.models import AthletePhoto, PhotoOriginal
from team.outages import database_outage

# Uploads

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Beyond this a picture takes too much memory to decode; a file of a few MB can claim any size.
MAX_PIXELS = 50_000_000
#: The card shows a photo at up to 120 CSS pixels, so twice that on a sharp screen.
MIN_SIDE = 240
KEPT_LONG_SIDE = 2560
KEPT_QUALITY = 92
#: What Pillow calls the formats accepted (MPO is the JPEG some cameras write), and what editors call them.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
SRGB = ImageCms.createProfile("sRGB")


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A checked upload, as it is to be kept: the JPEG's bytes and its size in pixels."""

    data: bytes
    width: int
    height: int


def prepare(upload):
    """The uploaded file (a Django `UploadedFile`) checked and made ready to keep; `ValidationError` with a
    message for the editor when it cannot be a photo."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _(
                "This file is %(size)s; a photo can be at most %(limit)s. Save it smaller (a JPEG about "
                "3000 pixels wide is plenty) and upload it again."
            ),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        image = in_srgb(upright(data))
        image.thumbnail((KEPT_LONG_SIDE, KEPT_LONG_SIDE), Image.Resampling.LANCZOS)
        image.info = {}  # nothing of the upload's metadata is written
        kept = io.BytesIO()
        image.save(kept, "JPEG", quality=KEPT_QUALITY, subsampling=0)
    except ValidationError:
        raise
    except Exception as error:  # Pillow's readers raise many kinds of error on damaged or hostile files.
        raise ValidationError(
            _(
                "This file cannot be read as a picture: it is not a JPEG, PNG or WebP image, or it is damaged. "
                "Export the photo again as a JPEG and upload that."
            ),
            code="unreadable",
        ) from error
    return Prepared(kept.getvalue(), image.width, image.height)


def upright(data):
    """The picture in `data`, decoded and turned by its EXIF orientation, once its header shows it may be
    a photo. Refuses other formats, animations and pictures too small or too large in pixels."""
    try:
        with warnings.catch_warnings():
            # The size is checked below, before anything is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as error:
        raise too_many_pixels() from error
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("This is a %(format)s picture. Upload the photo as a JPEG, PNG or WebP file."),
            code="format",
            params={"format": image.format},
        )
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise too_many_pixels()
    if min(width, height) < MIN_SIDE:
        raise ValidationError(
            _(
                "This picture is only %(width)d × %(height)d pixels: too small to look sharp. It needs at least "
                "%(minimum)d pixels on each side; find a larger version of the photo."
            ),
            code="too_small",
            params={"width": width, "height": height, "minimum": MIN_SIDE},
        )
    if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
        raise ValidationError(_("This is an animated picture. Upload a still photo."), code="animated")
    image = ImageOps.exif_transpose(image)
    image.load()
    return image


def too_many_pixels():
    return ValidationError(
        _(
            "This picture has too many pixels to work with (at most %(megapixels)d million). Save it at most "
            "6000 pixels on its longer side and upload it again."
        ),
        code="too_many_pixels",
        params={"megapixels": MAX_PIXELS // 1_000_000},
    )


def in_srgb(image):
    """The picture as 8-bit RGB in sRGB, what every browser shows right: converted from its own colour
    profile when it has one, and laid on white where it is transparent."""
    profile = image.info.get("icc_profile")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.has_transparency_data:
        image = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(
                image.convert("RGB") if image.mode == "RGBA" else image, source, SRGB, outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile that cannot be read: the colours are taken as they are
    return image.convert("RGB")


# Renditions

#: The widths, in pixels, each shape is made at: a square crop, or the whole picture.
SHAPES = {"square": (120, 240), "full": (240, 480, 960)}
#: Where a square crop is centred, from the left and from the top: faces are usually in the upper part.
SQUARE_CENTRING = (0.5, 0.35)
CARD_BUDGET = 30 * 1024
RENDITION_TIMEOUT = 30 * 24 * 60 * 60
#: Part of the cache key: changing how renditions are made makes the cache make them again.
RENDITION_RECIPE = 1
IMMUTABLE = f"public, max-age={365 * 24 * 60 * 60}, immutable"


@dataclasses.dataclass(frozen=True)
class Encoding:
    extension: str
    pillow_format: str
    media_type: str
    #: Tried in turn until the rendition fits its byte budget; the last is kept whatever its size.
    qualities: tuple
    options: dict


#: In the order a page offers them: the smallest first, JPEG for the browsers that read neither of the others.
ENCODINGS = {
    encoding.extension: encoding
    for encoding in (
        Encoding("avif", "AVIF", "image/avif", (55, 45, 35, 25), {"speed": 8}),
        Encoding("webp", "WEBP", "image/webp", (78, 65, 50, 35, 20), {}),
        Encoding("jpg", "JPEG", "image/jpeg", (80, 70, 60, 45, 30), {"optimize": True, "progressive": True}),
    )
}


def byte_budget(width, height):
    """The most bytes a rendition of this size should take: 30 KB for a card's picture, a quarter of a byte
    per pixel for a larger one."""
    return max(CARD_BUDGET, width * height // 4)


def widths(shape, width, height):
    """The widths of `shape` a picture of `width` × `height` pixels is offered at: never enlarged."""
    largest = min(width, height) if shape == "square" else width
    return [candidate for candidate in SHAPES[shape] if candidate <= largest]


def rendition_size(shape, width, picture_width, picture_height):
    if shape == "square":
        return width, width
    return width, max(1, round(width * picture_height / picture_width))


def render(data, shape, width, extension):
    """The rendition's bytes, made from a kept picture's bytes."""
    encoding = ENCODINGS[extension]
    with Image.open(io.BytesIO(data)) as image:
        size = rendition_size(shape, width, *image.size)
        if shape == "square":
            shorter = min(image.size)
            # Decode a JPEG at the smallest scale that still covers the crop: much faster, as sharp.
            image.draft("RGB", (image.width * width // shorter, image.height * width // shorter))
            made = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS, centering=SQUARE_CENTRING)
        else:
            image.draft("RGB", size)
            made = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    made.info = {}
    budget = byte_budget(*size)
    for quality in encoding.qualities:
        rendition = encode(made, encoding, quality)
        if len(rendition) <= budget:
            break
    return rendition


def encode(image, encoding, quality):
    output = io.BytesIO()
    try:
        image.save(output, encoding.pillow_format, quality=quality, **encoding.options)
    except OSError:
        # Pillow gives an optimised JPEG a buffer of one byte per pixel; a picture needing more is saved plainly.
        output = io.BytesIO()
        image.save(output, encoding.pillow_format, quality=quality)
    return output.getvalue()


def rendition_url(digest, shape, width, extension):
    return reverse("team:photo", kwargs={"digest": digest, "shape": shape, "width": width, "extension": extension})


def cache_key(digest, shape, width, extension):
    return f"photo:{RENDITION_RECIPE}:{digest}:{shape}-{width}.{extension}"


def etag(digest, shape, width, extension):
    return f'"{digest[:32]}-{RENDITION_RECIPE}-{shape}-{width}-{extension}"'


@require_safe
def rendition(request, digest, shape, width, extension):
    """One rendition of a picture some athlete's photo uses, from the shared cache or made now.

    Its address names its content, so it is sent as immutable, and a client that has it gets a 304. While
    the database cannot be reached, renditions already in the cache are still served.
    """
    try:
        size = AthletePhoto.objects.filter(original=digest).values_list("width", "height").first()
    except (OperationalError, InterfaceError) as error:
        database_outage.report(error)
        body = cache.get(cache_key(digest, shape, width, extension))
        if body is None:
            raise
        return finish(HttpResponse(body, content_type=ENCODINGS[extension].media_type), digest, shape, width, extension)
    if size is None or width not in widths(shape, *size):
        raise Http404(_("No photo at this address."))
    tag = etag(digest, shape, width, extension)
    if (not_modified := get_conditional_response(request, etag=tag)) is not None:
        return finish(not_modified, digest, shape, width, extension)
    key = cache_key(digest, shape, width, extension)
    body = cache.get(key)
    if body is None:
        data = PhotoOriginal.objects.data_of(digest)
        if data is None:  # pictures are kept, but one may have been deleted by hand
            raise Http404(_("No photo at this address."))
        body = render(data, shape, width, extension)
        cache.set(key, body, RENDITION_TIMEOUT)
    return finish(HttpResponse(body, content_type=ENCODINGS[extension].media_type), digest, shape, width, extension)


def finish(response, digest, shape, width, extension):
    response["ETag"] = etag(digest, shape, width, extension)
    response["Cache-Control"] = IMMUTABLE
    return response


# On the pages


@dataclasses.dataclass(frozen=True)
class Display:
    """One place pages show a photo: which shape, how wide the page shows it (the `sizes` attribute, which
    the stylesheet must agree with), the width its `width`/`height` attributes give, and whether the editor's
    alt text is read out there and the credit shown."""

    shape: str
    sizes: str
    width: int
    lazy: bool
    described: bool


DISPLAYS = {
    # Beside the name on the roster's cards, below the first screen: the name says who it is.
    "card": Display("square", "(min-width: 48rem) 120px, 96px", 120, lazy=True, described=False),
    # Beside each medallist's name in the team page's lead.
    "strip": Display("square", "48px", 48, lazy=False, described=False),
    # The athlete's own page, at the top, with the credit under it.
    "profile": Display("full", "(min-width: 48rem) 20rem, 15rem", 480, lazy=False, described=True),
}


def picture(photo, display):
    """What a `<picture>` of `photo` needs where `display` (a key of `DISPLAYS`) shows it: a source per
    modern format, the JPEG for other browsers, and the size to reserve; None for a picture too small to
    offer there (uploads never are). Reads nothing from the database."""
    place = DISPLAYS[display]
    offered = widths(place.shape, photo.width, photo.height)
    if not offered:
        return None

    def srcset(extension):
        return ", ".join(f"{rendition_url(photo.digest, place.shape, w, extension)} {w}w" for w in offered)

    fallback = max((w for w in offered if w <= place.width), default=offered[0])
    width, height = rendition_size(place.shape, place.width, photo.width, photo.height)
    return {
        "sources": [
            {"type": encoding.media_type, "srcset": srcset(extension)}
            for extension, encoding in ENCODINGS.items()
            if extension != "jpg"
        ],
        "src": rendition_url(photo.digest, place.shape, fallback, "jpg"),
        "srcset": srcset("jpg"),
        "sizes": place.sizes,
        "width": width,
        "height": height,
        "alt": photo.alt_text if place.described else "",
        "described": place.described,
        "credit": photo.credit,
        "lazy": place.lazy,
    }
