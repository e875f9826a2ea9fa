"""Addresses of athletes' photos (see team.photos): `<digest>/<shape>-<width>.<format>`."""

from django.urls import path, register_converter
from django.urls.converters import StringConverter

from team import photos


class DigestConverter(StringConverter):
    """A SHA-256 digest in lower-case hexadecimal."""

    regex = "[0-9a-f]{64}"


class PhotoShapeConverter(StringConverter):
    regex = "|".join(photos.SHAPES)


class PhotoFormatConverter(StringConverter):
    regex = "|".join(photos.ENCODINGS)


register_converter(DigestConverter, "photo_digest")
register_converter(PhotoShapeConverter, "photo_shape")
register_converter(PhotoFormatConverter, "photo_format")

urlpatterns = [
    path(
        "<photo_digest:digest>/<photo_shape:shape>-<int:width>.<photo_format:extension>",
        photos.rendition,
        name="photo",
    ),
]
