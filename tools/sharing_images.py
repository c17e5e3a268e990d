"""Draw the sites' sharing images and the book's cover as raster files, with Pillow.

Social networks show no SVG: each site gets a 1200×630 PNG for og:image (the book site's
shows its cover), and the book a PNG cover for its schema.org Book. Run after changing the
cover or a site's title: `python -m tools.sharing_images` (writes blog/static/img/*.png).
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

STATIC = Path(__file__).resolve().parent.parent / "blog" / "static" / "img"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
PAPER, RUST, INK, RIVER, BROWN = "#f3ead8", "#8a3b0b", "#1f2328", "#2f6f8f", "#57341a"


def font(size: int, style: str = "") -> ImageFont.ImageFont:
    path = FONTS / f"DejaVuSerif{style}.ttf"
    return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)


def waves(draw: ImageDraw.ImageDraw, left: int, top: int, width: int, count: int = 4) -> None:
    for n in range(count):
        points = []
        for x in range(0, width + 1, 8):
            phase = (x / width) * 6.283 * 1.5
            points.append((left + x, top + n * 30 + 18 * math.sin(phase)))
        draw.line(points, fill=RIVER, width=4 - n // 2)


def cover(width: int = 600, height: int = 900) -> Image.Image:
    """Return the book's cover, drawn as the SVG one is."""
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    k = width / 400
    draw.rectangle([24 * k, 24 * k, width - 24 * k, height - 24 * k], outline=RUST, width=3)
    middle = width / 2
    draw.text((middle, 120 * k), "CLAIRE VAUTRIN", font=font(int(22 * k)), fill=BROWN, anchor="ms")
    draw.text((middle, 210 * k), "La Mémoire", font=font(int(44 * k)), fill=INK, anchor="ms")
    draw.text((middle, 265 * k), "des rivières", font=font(int(44 * k)), fill=INK, anchor="ms")
    italic = font(int(16 * k), "-Italic")
    draw.text((middle, 310 * k), "Essai", font=italic, fill=BROWN, anchor="ms")
    waves(draw, int(40 * k), int(380 * k), int(320 * k))
    draw.text(
        (middle, 550 * k), "ÉDITIONS DE L’AULNE", font=font(int(14 * k)), fill=BROWN, anchor="ms"
    )
    return image


def book_card() -> Image.Image:
    card = Image.new("RGB", (1200, 630), PAPER)
    card.paste(cover(340, 510), (80, 60))
    draw = ImageDraw.Draw(card)
    draw.text((500, 230), "La Mémoire des rivières", font=font(48), fill=INK)
    draw.text((500, 310), "Claire Vautrin", font=font(36, "-Italic"), fill=BROWN)
    draw.text((500, 380), "Un livre sur les rivières oubliées des villes", font=font(26), fill=INK)
    waves(draw, 500, 470, 620, 3)
    return card


def blog_card() -> Image.Image:
    card = Image.new("RGB", (1200, 630), "#f6f8fa")
    draw = ImageDraw.Draw(card)
    draw.rectangle([0, 0, 1200, 16], fill="#0b5a8a")
    draw.text((90, 180), "Carnet de recherche", font=font(64), fill=INK)
    draw.text((90, 270), "Research notebook · Quaderno di ricerca", font=font(32), fill="#57606a")
    draw.text((90, 340), "Claire Vautrin", font=font(34, "-Italic"), fill="#0b5a8a")
    waves(draw, 90, 450, 1020, 4)
    return card


def main() -> None:
    cover().save(STATIC / "cover.png", optimize=True)
    book_card().save(STATIC / "share-book.png", optimize=True)
    blog_card().save(STATIC / "share-blog.png", optimize=True)


if __name__ == "__main__":
    main()
