"""The demo's pictures and documents, drawn with Pillow: invented, like the rest of the demo."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

FONTS = "/usr/share/fonts/truetype/dejavu/"
PAPER, INK, RIVER, RUST = (243, 234, 216), (31, 35, 40), (47, 111, 143), (138, 59, 11)


def _font(size: int, style: str = "") -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(f"{FONTS}DejaVuSerif{style}.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def river_map() -> bytes:
    """An old map of Castelbrune: streets, the river in blue, then the same river dotted."""
    width, height = 1600, 1000
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    rng = random.Random(1890)
    for _ in range(40):  # streets
        x, y = rng.randrange(width), rng.randrange(height)
        angle = rng.random() * math.pi
        length = rng.randrange(150, 500)
        end = (x + length * math.cos(angle), y + length * math.sin(angle))
        draw.line([(x, y), end], fill=(190, 175, 150), width=rng.choice((4, 6, 9)))
    course = [
        (x, 520 + 160 * math.sin(x / 260) + 40 * math.sin(x / 70)) for x in range(0, width, 10)
    ]
    draw.line(course[:90], fill=RIVER, width=14)
    for start in range(90, len(course) - 1, 3):  # covered: a dotted line, then nothing
        draw.line(course[start : start + 2], fill=RIVER, width=6)
    draw.rectangle([30, 30, width - 30, height - 30], outline=RUST, width=4)
    draw.text((70, 60), "Castelbrune — plan de 1890", font=_font(48), fill=INK)
    draw.text(
        (70, 125), "le ruisseau de la Brune, couvert en 1893", font=_font(30, "-Italic"), fill=RUST
    )
    return _encoded(image, "PNG")


def launch_evening() -> bytes:
    """An evening at a bookshop: shelves, a table of books, chairs (a JPEG, as cameras make)."""
    width, height = 1600, 1067
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # warm light
        shade = int(70 + 90 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade + 60, shade + 25, shade))
    rng = random.Random(2025)
    for shelf in range(4):  # shelves of books
        top = 80 + shelf * 140
        draw.rectangle([60, top + 110, 1540, top + 122], fill=(90, 55, 30))
        x = 70
        while x < 1520:
            w = rng.randrange(14, 32)
            color = rng.choice([(160, 50, 40), (40, 90, 120), (200, 170, 90), (60, 110, 70)])
            draw.rectangle([x, top + rng.randrange(20, 45), x + w, top + 110], fill=color)
            x += w + 3
    draw.rectangle([400, 700, 1200, 760], fill=(110, 70, 40))  # the table
    for n in range(6):  # the book, piled
        left = 470 + n * 110
        draw.rectangle([left, 640, left + 90, 700], fill=PAPER, outline=RUST, width=3)
    for n in range(8):  # chairs
        left = 140 + n * 175
        draw.rectangle([left, 880, left + 110, 900], fill=(50, 35, 25))
        draw.rectangle([left + 5, 900, left + 15, 1000], fill=(50, 35, 25))
        draw.rectangle([left + 95, 900, left + 105, 1000], fill=(50, 35, 25))
    return _encoded(image, "JPEG", quality=88)


def flood_mark() -> bytes:
    """A flood mark on a stone wall: a line, a date."""
    width, height = 1200, 1500
    image = Image.new("RGB", (width, height), (180, 170, 155))
    draw = ImageDraw.Draw(image)
    rng = random.Random(1910)
    for row in range(0, height, 90):  # stones
        offset = 0 if (row // 90) % 2 else 110
        for column in range(-offset, width, 220):
            tone = rng.randrange(150, 200)
            draw.rectangle(
                [column + 4, row + 4, column + 216, row + 86], fill=(tone, tone - 8, tone - 20)
            )
    draw.line([(150, 700), (1050, 700)], fill=(20, 20, 20), width=10)
    draw.text((420, 560), "CRUE", font=_font(110), fill=(20, 20, 20))
    draw.text((330, 730), "22 JANV. 1910", font=_font(90), fill=(20, 20, 20))
    return _encoded(image, "JPEG", quality=88)


def press_release() -> bytes:
    """The press release, one page as a PDF."""
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    draw.text((120, 140), "Communiqué de presse", font=_font(40), fill=RUST)
    draw.text((120, 220), "La Mémoire des rivières", font=_font(64), fill=INK)
    draw.text(
        (120, 310), "Claire Vautrin — Éditions de l'Aulne — 13 mars 2025", font=_font(30), fill=INK
    )
    lines = [
        "Pendant plus d'un siècle, les villes ont couvert leurs petites rivières.",
        "Depuis vingt ans, certaines les rouvrent. Claire Vautrin raconte",
        "cette histoire en trois temps : l'enfouissement, l'oubli, le retour.",
        "",
        "288 pages, 22 € — collection « Paysages ».",
        "Contact presse : presse@example.org",
    ]
    for n, line in enumerate(lines):
        draw.text((120, 440 + n * 52), line, font=_font(30), fill=INK)
    return _encoded(page, "PDF", resolution=150)


DRAWINGS = {
    "map": river_map,
    "launch": launch_evening,
    "flood-mark": flood_mark,
    "press-release": press_release,
}
