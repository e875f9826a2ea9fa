"""Athletes' photos: an editor uploads one with its alt text and credit, readers get small modern renditions.

* Uploads are checked (a picture Pillow reads, JPEG, PNG or WebP, not too large, not too small) and kept
  upright, in sRGB, without metadata; anything else gets a message, never a server error.
* A card's picture is at most 30 KB at the card's width and twice it, in every format served, for a
  photo-like 3000 × 2000 picture.
* Renditions come from the shared cache, with immutable addresses that name the picture.
* Pages show the photo (or the initials) without a query more and without reading a picture's bytes.
* The admin's inline keeps the lost-update guard, and the history records and reverts photos.
* A backup restores every picture byte for byte.
"""

import functools
import io
import random

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags, Image, ImageCms, ImageDraw

from team import history, photos
from team.models import Athlete, AthletePhoto, Change, Entry, PhotoOriginal, Round
from team.tests.admin_forms import errors_of, form_data, inline_prefix
from team.tests.factories import make_result

CARD_BUDGET = 30 * 1024
ALT = "Roman Saleh at the pool in Paris, smiling, goggles on his forehead"
CREDIT = "NPC Azerbaijan / R. Aliyev"

# Pictures


@functools.cache
def scene(width=3000, height=2000, seed=2024):
    """A photo-like picture: light falling across it, texture at several scales, shapes with hard edges,
    and sensor grain. Made from a seeded generator, so every run measures the same picture."""
    generator = random.Random(seed)

    def texture(step):
        small = (max(1, width // step), max(1, height // step))
        noise = Image.frombytes("L", small, generator.randbytes(small[0] * small[1]))
        return noise.resize((width, height), Image.Resampling.BICUBIC)

    light = Image.linear_gradient("L").resize((width, height))
    channels = [Image.blend(Image.blend(light, texture(40), 0.5), texture(6), 0.35) for _ in range(3)]
    picture = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = generator.randrange(width), generator.randrange(height)
        size = generator.randrange(width // 30, width // 4)
        colour = tuple(generator.randrange(256) for _ in range(3))
        shape = draw.ellipse if generator.random() < 0.5 else draw.rectangle
        shape((x, y, x + size, y + size * 2 // 3), fill=colour)
    grain = Image.merge("RGB", [texture(1) for _ in range(3)])
    return Image.blend(picture, grain, 0.12)


def encoded(image, format="JPEG", **options):
    output = io.BytesIO()
    image.save(output, format, **options)
    return output.getvalue()


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def camera_photo(width=900, height=600, orientation=1):
    """A JPEG as a phone writes it: stored sideways with an EXIF orientation, the place it was taken and the
    camera. Its stored top-left corner is red, to tell where it ends up."""
    image = scene(width, height).copy()
    ImageDraw.Draw(image).rectangle((0, 0, width // 5, height // 5), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (40.0, 24.0, 35.0), 3: "E", 4: (49.0, 52.0, 4.0)})
    return encoded(image, "JPEG", quality=90, exif=exif)


def give_photo(athlete, data=None, alt_text=ALT, credit=CREDIT, prepared=None):
    """Give the athlete a photo as the admin does: the upload checked, its picture kept."""
    prepared = prepared or photos.prepare(upload(data or encoded(scene(900, 600))))
    return AthletePhoto.objects.create(
        athlete=athlete,
        original=PhotoOriginal.objects.keep(prepared.data),
        width=prepared.width,
        height=prepared.height,
        alt_text=alt_text,
        credit=credit,
    )


def saleh():
    return Athlete.objects.get(slug="roman-saleh")


def url_of(photo, shape="square", width=240, extension="jpg"):
    return photos.rendition_url(photo.digest, shape, width, extension)


# Uploads


def test_a_phone_photo_is_kept_upright_and_without_its_metadata():
    prepared = photos.prepare(upload(camera_photo(900, 600, orientation=6)))

    kept = Image.open(io.BytesIO(prepared.data))
    assert kept.format == "JPEG"
    assert (prepared.width, prepared.height) == kept.size == (600, 900)
    # Orientation 6: shown turned a quarter clockwise, so the stored top-left corner is now top-right.
    red, green, blue = kept.getpixel((600 - 20, 20))
    assert red > 200 and green < 60 and blue < 60
    assert not kept.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(kept.info)
    assert b"PhoneMaker" not in prepared.data


def test_a_large_photo_is_kept_at_most_2560_pixels_on_its_longer_side():
    prepared = photos.prepare(upload(encoded(scene(), "JPEG", quality=90)))
    assert (prepared.width, prepared.height) == (2560, 1707)


def test_a_png_with_transparency_is_laid_on_white():
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((100, 50, 300, 250), fill=(0, 80, 160, 255))
    kept = Image.open(io.BytesIO(photos.prepare(upload(encoded(image, "PNG"), "cut-out.png")).data))
    assert kept.mode == "RGB"
    assert all(channel > 245 for channel in kept.getpixel((5, 5)))


def test_a_webp_photo_is_accepted():
    prepared = photos.prepare(upload(encoded(scene(600, 400), "WEBP", quality=80), "photo.webp"))
    assert (prepared.width, prepared.height) == (600, 400)


def test_a_print_photo_in_cmyk_is_kept_in_rgb():
    kept = Image.open(io.BytesIO(photos.prepare(upload(encoded(scene(600, 400).convert("CMYK"), "JPEG"))).data))
    assert kept.mode == "RGB"


def test_a_photo_with_a_colour_profile_is_converted_and_keeps_no_profile():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = Image.new("RGB", (400, 300), (200, 60, 30))
    kept = Image.open(io.BytesIO(photos.prepare(upload(encoded(original, "JPEG", icc_profile=profile))).data))
    assert "icc_profile" not in kept.info
    red, green, blue = kept.getpixel((200, 150))
    assert abs(red - 200) < 6 and abs(green - 60) < 6 and abs(blue - 30) < 6


def sixteen_bit_png():
    return encoded(Image.new("I;16", (300, 300), 40000), "PNG")


def test_a_sixteen_bit_grey_png_is_accepted():
    kept = Image.open(io.BytesIO(photos.prepare(upload(sixteen_bit_png(), "scan.png")).data))
    assert kept.mode == "RGB"
    assert 150 < kept.getpixel((10, 10))[0] < 162


def animated_webp():
    frames = [Image.new("RGB", (300, 300), colour) for colour in ("red", "blue")]
    output = io.BytesIO()
    frames[0].save(output, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return output.getvalue()


def truncated_jpeg():
    whole = encoded(scene(600, 400), "JPEG", quality=90)
    return whole[: len(whole) // 2]


def bmp():
    return encoded(scene(400, 300), "BMP")


def gif():
    return encoded(scene(400, 300).convert("P"), "GIF")


def tiny():
    return encoded(scene(200, 150), "JPEG")


def too_many_pixels():
    # 10,000 × 6,000 pixels of white compress to a few kilobytes: the size must be checked before decoding.
    return encoded(Image.new("1", (10_000, 6_000), 1), "PNG")


REFUSED = [
    pytest.param(b"", "unreadable", id="empty"),
    pytest.param(b"\xff\xd8\xff\xe0 this is not really a JPEG" * 20, "unreadable", id="garbage-with-a-header"),
    pytest.param(bytes(random.Random(1).randbytes(5000)), "unreadable", id="random-bytes"),
    pytest.param(b"<html><body>Not a photo</body></html>", "unreadable", id="html"),
    pytest.param(truncated_jpeg, "unreadable", id="truncated-jpeg"),
    pytest.param(bmp, "format", id="bmp"),
    pytest.param(gif, "format", id="gif"),
    pytest.param(animated_webp, "animated", id="animated-webp"),
    pytest.param(tiny, "too_small", id="200x150"),
    pytest.param(too_many_pixels, "too_many_pixels", id="60-megapixels"),
]


@pytest.mark.parametrize(("data", "code"), REFUSED)
def test_a_file_that_cannot_be_a_photo_is_refused_with_a_reason(data, code):
    with pytest.raises(ValidationError) as refused:
        photos.prepare(upload(data() if callable(data) else data))
    assert refused.value.code == code
    assert refused.value.messages[0].endswith(".")


def test_a_file_over_10_mb_is_refused_with_its_size():
    with pytest.raises(ValidationError) as refused:
        photos.prepare(upload(b"\xff\xd8" + bytes(11 * 1024 * 1024)))
    assert refused.value.code == "too_large"
    assert refused.value.messages[0].startswith("This file is 11.0\xa0MB; a photo can be at most 10.0\xa0MB.")


def test_a_too_small_picture_says_its_size_and_what_is_needed():
    with pytest.raises(ValidationError) as refused:
        photos.prepare(upload(tiny()))
    assert refused.value.messages == [
        "This picture is only 200 × 150 pixels: too small to look sharp. It needs at least 240 pixels on each "
        "side; find a larger version of the photo."
    ]


# Renditions


@pytest.fixture(scope="module")
def kept_scene():
    """The photo-like 3000 × 2000 picture, as an editor would upload it from an agency and as it is kept."""
    return photos.prepare(upload(encoded(scene(), "JPEG", quality=90)))


@pytest.mark.parametrize("extension", list(photos.ENCODINGS))
@pytest.mark.parametrize("width", [120, 240], ids=["card-width", "twice-the-card-width"])
def test_a_card_picture_is_at_most_30_kb(kept_scene, width, extension):
    rendition = photos.render(kept_scene.data, "square", width, extension)

    assert len(rendition) <= CARD_BUDGET
    image = Image.open(io.BytesIO(rendition))
    assert image.format == photos.ENCODINGS[extension].pillow_format
    assert image.size == (width, width)
    assert not image.getexif()


@pytest.mark.parametrize("extension", list(photos.ENCODINGS))
def test_the_athlete_page_renditions_keep_the_pictures_shape_within_budget(kept_scene, extension):
    for width in photos.SHAPES["full"]:
        rendition = photos.render(kept_scene.data, "full", width, extension)
        height = round(width * kept_scene.height / kept_scene.width)
        assert Image.open(io.BytesIO(rendition)).size == (width, height)
        assert len(rendition) <= photos.byte_budget(width, height)


@pytest.mark.django_db
@pytest.mark.parametrize("extension", list(photos.ENCODINGS))
@pytest.mark.parametrize("width", [120, 240], ids=["card-width", "twice-the-card-width"])
def test_the_card_pictures_readers_download_are_at_most_30_kb(client, article_data, kept_scene, width, extension):
    photo = give_photo(saleh(), prepared=kept_scene)

    response = client.get(url_of(photo, "square", width, extension))

    assert response.status_code == 200
    assert response["Content-Type"] == photos.ENCODINGS[extension].media_type
    assert len(response.content) <= CARD_BUDGET


@pytest.mark.django_db
def test_a_rendition_is_served_immutable_and_revalidated_with_a_304(client, article_data):
    photo = give_photo(saleh())
    url = url_of(photo, "full", 480, "avif")

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/avif"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert Image.open(io.BytesIO(response.content)).size == (480, 320)

    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_a_rendition_made_once_is_served_from_the_shared_cache(client, article_data, monkeypatch):
    photo = give_photo(saleh())
    url = url_of(photo, "square", 240, "webp")
    first = client.get(url).content
    monkeypatch.setattr(photos, "render", lambda *args: pytest.fail("rendered again"))

    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)

    assert second.content == first
    # One small query (is the picture still some athlete's?); the picture's bytes are not read.
    assert len(queries) == 1
    assert "team_photooriginal" not in queries[0]["sql"]


@pytest.mark.django_db
def test_a_new_photo_gets_new_addresses_and_the_old_ones_stop_being_served(client, article_data):
    photo = give_photo(saleh())
    old_url = url_of(photo)
    assert client.get(old_url).status_code == 200

    prepared = photos.prepare(upload(encoded(scene(800, 800, seed=5))))
    photo.original = PhotoOriginal.objects.keep(prepared.data)
    photo.width, photo.height = prepared.width, prepared.height
    photo.save()

    new_url = url_of(photo)
    assert new_url != old_url
    page = client.get(saleh().get_absolute_url()).text
    assert photo.digest in page
    assert old_url.split("/")[-2] not in page
    assert client.get(new_url).status_code == 200
    assert client.get(old_url).status_code == 404
    assert PhotoOriginal.objects.count() == 2  # the old picture is kept for the history


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        pytest.param(lambda photo: url_of(photo).replace(photo.digest, "0" * 64), id="unknown-digest"),
        pytest.param(lambda photo: url_of(photo, "square", 480), id="width-not-offered"),
        pytest.param(lambda photo: url_of(photo, "full", 960), id="larger-than-the-picture"),
        pytest.param(lambda photo: url_of(photo).replace(".jpg", ".gif"), id="unknown-format"),
        pytest.param(lambda photo: url_of(photo).replace(photo.digest, photo.digest[:20]), id="short-digest"),
    ],
)
def test_an_address_that_is_not_a_rendition_is_a_404(client, article_data, address):
    photo = give_photo(saleh())  # 900 × 600 pixels: no 960 wide rendition
    assert client.get(address(photo)).status_code == 404


@pytest.mark.django_db
def test_cached_renditions_are_served_while_the_database_is_down(client, article_data, monkeypatch):
    photo = give_photo(saleh())
    cached, uncached = url_of(photo, "square", 120, "avif"), url_of(photo, "square", 240, "avif")
    served = client.get(cached).content

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(AthletePhoto.objects, "filter", down)
    client.raise_request_exception = False

    assert client.get(cached).content == served
    refused = client.get(uncached)
    assert refused.status_code == 503
    assert refused["Retry-After"]


@pytest.mark.django_db
def test_renditions_are_served_while_the_cache_is_down(client, article_data, redis_down):
    photo = give_photo(saleh())
    response = client.get(url_of(photo, "square", 240, "jpg"))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (240, 240)


# On the pages


@pytest.mark.django_db
def test_a_card_shows_the_photo_in_modern_formats_with_a_jpeg_fallback(client, article_data):
    photo = give_photo(saleh())

    page = client.get(reverse("team:team")).text
    card = page[page.index('id="roman-saleh"') :]
    card = card[: card.index("</article>")]

    assert '<source type="image/avif"' in card
    assert '<source type="image/webp"' in card
    assert card.index("image/avif") < card.index("image/webp") < card.index("<img")
    srcset = f"{url_of(photo, 'square', 120, 'avif')} 120w, {url_of(photo, 'square', 240, 'avif')} 240w"
    assert f'srcset="{srcset}"' in card
    assert f'<img src="{url_of(photo, "square", 120, "jpg")}"' in card
    assert 'sizes="(min-width: 48rem) 120px, 96px"' in card
    assert 'width="120" height="120"' in card
    assert 'loading="lazy"' in card and 'decoding="async"' in card
    # The name beside it says who it is: the picture is not announced a second time.
    assert 'alt=""' in card
    assert ALT not in card
    assert "style=" not in card


@pytest.mark.django_db
def test_without_a_photo_a_card_shows_initials_and_asks_for_no_image(client, article_data):
    page = client.get(reverse("team:team")).text
    card = page[page.index('id="roman-saleh"') :]
    card = card[: card.index("</article>")]

    assert '<span class="initials initials-card" data-initials="RS" aria-hidden="true"></span>' in card
    assert "<img" not in card and "<picture" not in card


@pytest.mark.django_db
def test_the_athlete_page_shows_the_photo_larger_with_its_alt_text_and_credit(client, article_data):
    photo = give_photo(saleh())

    page = client.get(saleh().get_absolute_url()).text

    figure = page[page.index('<figure class="photo photo-profile">') :]
    figure = figure[: figure.index("</figure>") + len("</figure>")]
    assert f'alt="{ALT}"' in figure
    assert f'<figcaption class="photo-credit">Photo: {CREDIT}</figcaption>' in figure
    assert f'<img src="{url_of(photo, "full", 480, "jpg")}"' in figure
    assert 'width="480" height="320"' in figure
    assert 'fetchpriority="high"' in figure and 'loading="lazy"' not in figure
    # 900 pixels wide: offered at 240 and 480, never enlarged to 960.
    assert f"{url_of(photo, 'full', 480, 'webp')} 480w" in figure
    assert "960w" not in figure


@pytest.mark.django_db
def test_the_athlete_page_without_a_photo_shows_initials(client, article_data):
    page = client.get(saleh().get_absolute_url()).text
    assert 'data-initials="RS"' in page
    assert "<figure" not in page


@pytest.mark.django_db
def test_the_medal_strip_shows_each_medallist_with_their_photo(client, article_data):
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    abulfaz = Athlete.objects.get(slug="abulfaz-abuzarli")
    make_result(entry=Entry.objects.get(athlete=abulfaz), round=final, rank=1, medal="gold")
    photo = give_photo(abulfaz, alt_text="Abulfaz Abuzarli kicking in a bout")

    page = client.get(reverse("team:team")).text
    strip = page[page.index('id="medal-strip-heading"') : page.index("</section>", page.index("medal-strip-heading"))]

    assert f'<img src="{url_of(photo, "square", 120, "jpg")}"' in strip
    assert 'width="48" height="48"' in strip and 'alt=""' in strip
    assert f'<a href="{abulfaz.get_absolute_url()}">Abulfaz Abuzarli</a>' in strip


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["team", "athlete"])
def test_photos_cost_no_query_and_no_picture_bytes_on_the_pages(client, article_data, page):
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    make_result(entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"), round=final, rank=1, medal="gold")
    url = reverse("team:team") if page == "team" else saleh().get_absolute_url()
    queries_for(client, url)  # anything a first request reads once per process
    without = queries_for(client, url)

    data = encoded(scene(600, 400))
    for athlete in Athlete.objects.all():
        give_photo(athlete, data)
    cache.clear()
    with_photos = queries_for(client, url)

    assert len(with_photos) == len(without)
    assert not [sql for sql in with_photos if "team_photooriginal" in sql]
    assert client.get(url).text.count("<picture") >= 1


# The editors' desk


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    client.raise_request_exception = False
    return client


def athlete_page(desk, athlete):
    response = desk.get(reverse("admin:team_athlete_change", args=[athlete.pk]))
    assert response.status_code == 200
    return response


def with_photo(response, data=None, **fields):
    """The athlete's admin page as submitted with a file chosen and texts typed in the photo inline."""
    prefix = inline_prefix(response, "athletephoto")
    submitted = form_data(response)
    if data is not None:
        submitted[f"{prefix}-0-upload"] = upload(data)
    for name, value in fields.items():
        submitted[f"{prefix}-0-{name}"] = value
    return submitted


@pytest.mark.django_db
def test_an_editor_uploads_a_photo_and_the_history_names_the_picture_not_its_bytes(desk, editor, article_data):
    athlete = saleh()
    page = athlete_page(desk, athlete)
    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept="image/jpeg,image/png,image/webp"' in page.text

    response = desk.post(page.wsgi_request.path, with_photo(page, camera_photo(), alt_text=ALT, credit=CREDIT))

    assert response.status_code == 302, errors_of(response)
    photo = AthletePhoto.objects.get(athlete=athlete)
    assert (photo.alt_text, photo.credit, photo.width, photo.height) == (ALT, CREDIT, 900, 600)
    assert len(photo.digest) == 64
    change = Change.objects.for_object(photo).get()
    assert change.user == editor and change.action == Change.Action.ADDED
    assert change.fields["original"] == [None, photo.digest]
    assert len(change.summary) < 1000
    assert change.correction_note == ""
    # The page shows it at once, and the admin shows a preview.
    assert photo.digest in desk.get(athlete.get_absolute_url()).text
    assert url_of(photo, "full", 240, "jpg") in athlete_page(desk, athlete).text
    history_list = desk.get(reverse("admin:team_change_changelist"))
    assert f'href="{reverse("admin:team_athletephoto_change", args=[photo.pk])}"' in history_list.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (None, {"alt_text": ALT, "credit": CREDIT}, "Choose the photo file to upload."),
        ("photo", {"alt_text": "", "credit": CREDIT}, "This field is required."),
        ("photo", {"alt_text": ALT, "credit": "  "}, "This field is required."),
        (b"\x00garbage\xff" * 100, {"alt_text": ALT, "credit": CREDIT}, "This file cannot be read as a picture"),
        ("tiny", {"alt_text": ALT, "credit": CREDIT}, "This picture is only 200 × 150 pixels"),
    ],
    ids=["no-file", "no-alt-text", "blank-credit", "garbage", "too-small"],
)
def test_an_incomplete_or_unreadable_photo_is_refused_with_a_message(desk, article_data, data, fields, message):
    data = {"photo": lambda: encoded(scene(600, 400)), "tiny": tiny}.get(data, lambda: data)()
    page = athlete_page(desk, saleh())

    response = desk.post(page.wsgi_request.path, with_photo(page, data, **fields))

    assert response.status_code == 200
    assert any(error.startswith(message) for error in errors_of(response)), errors_of(response)
    assert not AthletePhoto.objects.exists()
    assert not PhotoOriginal.objects.exists()


@pytest.mark.django_db
def test_a_photo_changed_by_another_editor_meanwhile_is_not_overwritten(desk, article_data):
    athlete = saleh()
    give_photo(athlete)
    opened = athlete_page(desk, athlete)
    # Another editor corrects the credit meanwhile.
    photo = AthletePhoto.objects.get()
    photo.credit = "Agency photo / A. Aliyev"
    photo.save()

    response = desk.post(opened.wsgi_request.path, with_photo(opened, alt_text="Roman Saleh before the final"))

    assert response.status_code == 200
    errors = errors_of(response)
    assert "Not saved: this record changed while you were editing it." in errors
    photo.refresh_from_db()
    assert (photo.alt_text, photo.credit) == (ALT, "Agency photo / A. Aliyev")


@pytest.mark.django_db
def test_the_athletes_own_lost_update_guard_still_holds_beside_the_photo(desk, article_data):
    athlete = saleh()
    opened = athlete_page(desk, athlete)
    Athlete.objects.filter(pk=athlete.pk).update(version=athlete.version + 1)

    data = with_photo(opened, encoded(scene(600, 400)), alt_text=ALT, credit=CREDIT)
    response = desk.post(opened.wsgi_request.path, data | {"name": "Roman Salekh", "correction_note": "Spelling."})

    assert response.status_code == 200
    assert "Not saved: this record changed while you were editing it." in errors_of(response)
    assert saleh().name == "Roman Saleh"
    assert not AthletePhoto.objects.exists()


@pytest.mark.django_db
def test_a_replaced_photo_can_be_brought_back_from_the_history(desk, editor, article_data):
    athlete = saleh()
    page = athlete_page(desk, athlete)
    added = with_photo(page, encoded(scene(900, 600)), alt_text=ALT, credit=CREDIT)
    assert desk.post(page.wsgi_request.path, added).status_code == 302
    first = AthletePhoto.objects.get().digest
    page = athlete_page(desk, athlete)
    replacing = with_photo(page, encoded(scene(600, 600, seed=9)), alt_text="Another")
    assert desk.post(page.wsgi_request.path, replacing).status_code == 302
    photo = AthletePhoto.objects.get()
    assert photo.digest != first and (photo.width, photo.height) == (600, 600)

    replaced = Change.objects.for_object(photo).filter(action=Change.Action.CHANGED).get()
    history.revert(replaced, editor)

    photo.refresh_from_db()
    assert (photo.digest, photo.width, photo.height, photo.alt_text) == (first, 900, 600, ALT)
    assert desk.get(url_of(photo)).status_code == 200


@pytest.mark.django_db
def test_a_deleted_photo_leaves_the_initials_and_its_history_link_leads_to_the_athlete(desk, article_data):
    athlete = saleh()
    give_photo(athlete)
    page = athlete_page(desk, athlete)
    prefix = inline_prefix(page, "athletephoto")

    response = desk.post(page.wsgi_request.path, form_data(page) | {f"{prefix}-0-DELETE": "on"})

    assert response.status_code == 302, errors_of(response)
    assert not AthletePhoto.objects.exists()
    assert 'data-initials="RS"' in desk.get(athlete.get_absolute_url()).text
    history_list = desk.get(reverse("admin:team_change_changelist"))
    assert history_list.status_code == 200
    assert "Photo of Roman Saleh" in history_list.text


@pytest.mark.django_db
def test_the_historys_link_to_a_photo_opens_its_athletes_page(desk, article_data):
    photo = give_photo(saleh())
    link = reverse("admin:team_athletephoto_change", args=[photo.pk])

    response = desk.get(link)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:team_athlete_change", args=[saleh().pk]) + "#photo-group"
    gone = desk.get(reverse("admin:team_athletephoto_change", args=["999999999999999999999999"]), follow=True)
    assert gone.status_code == 200
    assert "That photo no longer exists." in gone.text


# Backups


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_picture_byte_for_byte(client, article_data, tmp_path):
    photo = give_photo(saleh(), camera_photo(orientation=3))
    replaced = photo.digest
    kept = PhotoOriginal.objects.data_of(replaced)
    prepared = photos.prepare(upload(encoded(scene(700, 700, seed=3))))
    photo.original = PhotoOriginal.objects.keep(prepared.data)
    photo.width, photo.height = prepared.width, prepared.height
    photo.save()
    expected = {
        "photo": AthletePhoto.objects.values(
            "athlete__slug", "original", "alt_text", "credit", "width", "height"
        ).get(),
        "pictures": {digest: PhotoOriginal.objects.data_of(digest) for digest in (replaced, photo.digest)},
    }
    assert expected["pictures"][replaced] == kept
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)

    call_command("flush", interactive=False, verbosity=0)
    assert not PhotoOriginal.objects.exists()
    call_command("restore", out.getvalue().strip(), verbosity=0)

    restored = AthletePhoto.objects.values("athlete__slug", "original", "alt_text", "credit", "width", "height").get()
    assert restored == expected["photo"]
    for digest, data in expected["pictures"].items():
        assert PhotoOriginal.objects.data_of(digest) == data
        assert PhotoOriginal.objects.get(pk=digest).size == len(data)
    cache.clear()
    response = client.get(url_of(AthletePhoto.objects.get(), "square", 240, "webp"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_picture_too_small_for_a_place_shows_the_initials_there_instead_of_failing(client, article_data):
    photo = give_photo(saleh())
    # Uploads are refused below 240 pixels; a record changed by other means must still not break a page.
    AthletePhoto.objects.filter(pk=photo.pk).update(width=100, height=80)

    response = client.get(saleh().get_absolute_url())

    assert response.status_code == 200
    assert 'data-initials="RS"' in response.text


# In a browser


@pytest.fixture
def site_with_photos(transactional_db, live_server):
    """The article's delegation served live, Roman Saleh with a photo and a gold medal, the others without."""
    call_command("load_initial_data", verbosity=0)
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    make_result(entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"), round=final, rank=1, medal="gold")
    give_photo(saleh(), encoded(scene(1200, 1600), "JPEG", quality=90))
    give_photo(Athlete.objects.get(slug="abulfaz-abuzarli"), encoded(scene(1000, 800, seed=4), "JPEG", quality=90))
    return live_server.url


@pytest.mark.browser
def test_a_browser_under_the_sites_policy_gets_avif_at_the_size_the_page_reserved(site_with_photos, page):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    images = {}
    page.on("response", lambda response: images.update({response.url: response.headers["content-type"]}))

    page.goto(site_with_photos + saleh().get_absolute_url())
    page.wait_for_load_state("networkidle")
    profile = page.locator(".photo-profile img")
    # Shown at up to 20rem (320 CSS pixels) on a screen of one device pixel per CSS pixel: the 480 wide AVIF,
    # its intrinsic size scaled to that slot.
    chosen = profile.evaluate("(img) => [img.currentSrc, img.naturalWidth, img.complete]")
    assert chosen[0].endswith("/full-480.avif") and chosen[1:] == [320, True]
    assert images[chosen[0]] == "image/avif"

    page.goto(site_with_photos + reverse("team:team"))
    card = page.locator("#roman-saleh img")
    card.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#roman-saleh img').complete")
    assert card.evaluate("(img) => img.currentSrc").endswith("/square-120.avif")
    assert card.evaluate("(img) => img.naturalWidth") == 120
    assert page.locator(".medal-strip img").evaluate("(img) => img.currentSrc").endswith("/square-120.avif")
    assert not refused, refused


@pytest.mark.browser
@pytest.mark.parametrize("address", ["/", "/athletes/roman-saleh/", "/athletes/abulfaz-abuzarli/"])
def test_pages_with_photos_have_no_accessibility_violations(site_with_photos, page_bypassing_csp, address):
    from team.tests.test_browser_readers import axe_violations, describe

    page = page_bypassing_csp
    page.goto(site_with_photos + address)
    violations = axe_violations(page)
    assert not violations, describe(violations)
