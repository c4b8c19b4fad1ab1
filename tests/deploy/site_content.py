"""Content for the deployment tests, written through the site's own storage: `python -m tests.deploy.site_content`.

Prints the names it made as JSON: a published briefing whose section shows an editor image and
which has PDF resources (one with a name beyond ASCII), and a draft briefing with a PDF resource of its own.
"""

import io
import json

import django

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n" + b"%" + b"x" * 20000 + b"\n"
)


def png_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 110, 110)).save(out, "PNG")
    return out.getvalue()


def main():
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from tests.factories import BriefingFactory, ResourceFactory

    image = default_storage.save("markdownx/5d0c1d4e-7a4f-4c39-9a57-0f3e1f1b2c3d.png", ContentFile(png_bytes()))
    chart = f"Before the chart.\n\n![Chart of referrals]({default_storage.url(image)})\n\nAfter the chart."
    published = BriefingFactory(
        title="Uploads in practice",
        slug="uploads-in-practice",
        summary="A briefing with an image and a leaflet.",
        published=timezone.localdate(),
        sections=[("What we saw", chart)],
    )
    leaflet = ResourceFactory(
        briefing=published, title="Leaflet for families", file=ContentFile(PDF, name="leaflet for families.pdf")
    )
    # Uploaded names keep letters beyond ASCII (get_valid_name allows them): the address is %-encoded.
    accented = ResourceFactory(
        briefing=published, title="Notes for the café meeting", file=ContentFile(PDF, name="café notes.pdf")
    )
    draft = BriefingFactory(title="Not yet", slug="not-yet", summary="A draft.", draft=True, published=None, sections=0)
    hidden = ResourceFactory(briefing=draft, title="Draft notes", file=ContentFile(PDF, name="notes.pdf"))
    print(
        json.dumps(
            {
                "briefing": f"/briefings/{published.slug}/",
                "image": image,
                "pdf": leaflet.file.name,
                "accented_pdf": accented.file.name,
                "draft_pdf": hidden.file.name,
                "pdf_size": len(PDF),
            }
        )
    )


if __name__ == "__main__":
    main()
