"""The readers' languages: English at the site's addresses, Azerbaijani under /az/, Russian under /ru/.

A readers' page's language is named by its address alone, never by a cookie or
the browser's Accept-Language, so that one address is one page in one language:
the page cache, the CDN and search engines can keep it as it is, and a shared
link opens in the language it was shared in. The language switcher is plain
links to the same page (with the same filters) in the other languages, and every
page names its translations with `hreflang` alternates.

The editors' pages (the admin, under settings.ADMIN_URL) are not cached and
follow each editor's own choice instead: the language cookie that Django's
`set_language` view sets from the admin's language menu, else the browser's
Accept-Language, as Django's LocaleMiddleware would.

Why not LocaleMiddleware itself: it runs after the page cache in the middleware
order that cache needs, so pages answered from the cache would carry other
headers than those rendered; and it adds `Vary: Accept-Language` to every
address without a language prefix (all the English pages), which would make a
CDN keep one copy per browser language of pages that never vary by it. This
middleware decides before the cache answers, by the path alone for readers.
"""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

#: Each language's name in itself, as the switcher shows it (readers look for their own language's name).
AUTONYMS = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}


def editors_path(path):
    return path.startswith(f"/{settings.ADMIN_URL}")


class LanguageMiddleware:
    """Activate the language of the address (readers) or of the editor's choice (admin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        editors = editors_path(path)
        if editors:
            language = translation.get_language_from_request(request)
        else:
            language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if editors:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def alternates(request):
    """This page in every language: (code, name in itself, address, whether it is the current one).

    The address keeps the query string, so the switcher keeps the reader's filters. A page that is in
    no language (a 404 for an address we do not have) names the readers' front page instead.
    """
    current = translation.get_language()
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        address = translate_url(path, code)
        if address == path and code != current:
            with translation.override(code):
                address = reverse("team:team")
        links.append((code, AUTONYMS.get(code, code), address, code == current))
    return links
