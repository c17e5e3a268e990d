"""The demo's pictures and documents, drawn with Pillow: invented, like the rest of the demo."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

FONTS = "/usr/share/fonts/truetype/dejavu/"
PAPER, INK, RIVER, RUST = (243, 234, 216), (31, 35, 40), (47, 111, 143), (138, 59, 11)


def font(size: int, style: str = "") -> ImageFont.ImageFont:
    """Return DejaVu Serif (it has every accent the demo writes), else Pillow's own font."""
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
    draw.text((70, 60), "Castelbrune — plan de 1890", font=font(48), fill=INK)
    draw.text(
        (70, 125), "le ruisseau de la Brune, couvert en 1893", font=font(30, "-Italic"), fill=RUST
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
    draw.text((420, 560), "CRUE", font=font(110), fill=(20, 20, 20))
    draw.text((330, 730), "22 JANV. 1910", font=font(90), fill=(20, 20, 20))
    return _encoded(image, "JPEG", quality=88)


def press_release() -> bytes:
    """The press release, one page as a PDF."""
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    draw.text((120, 140), "Communiqué de presse", font=font(40), fill=RUST)
    draw.text((120, 220), "La Mémoire des rivières", font=font(64), fill=INK)
    draw.text(
        (120, 310), "Claire Vautrin — Éditions de l'Aulne — 13 mars 2025", font=font(30), fill=INK
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
        draw.text((120, 440 + n * 52), line, font=font(30), fill=INK)
    return _encoded(page, "PDF", resolution=150)


def gauge_register() -> bytes:
    """A page of a river gauge's register: dated lines of heights in brown ink."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), (236, 226, 200))
    draw = ImageDraw.Draw(image)
    rng = random.Random(1872)
    draw.text((90, 60), "Échelle du pont Saint-Jean — janvier 1872", font=font(44), fill=INK)
    for x in (90, 420, 760, 1100, 1310):
        draw.line([(x, 150), (x, height - 60)], fill=(170, 90, 70), width=3)
    for row in range(17):
        y = 170 + row * 45
        draw.line([(90, y + 40), (1310, y + 40)], fill=(190, 170, 140), width=2)
        level = 1.2 + 0.9 * math.sin(row / 3) + rng.random() * 0.2
        ink = (80, 45, 25) if level < 2 else RUST
        draw.text((110, y), f"{row + 1:>2} janv.", font=font(30, "-Italic"), fill=ink)
        draw.text((450, y), f"{level:.2f} m", font=font(30, "-Italic"), fill=ink)
        draw.text(
            (790, y),
            rng.choice(["beau", "pluie", "neige", "couvert"]),
            font=font(30, "-Italic"),
            fill=ink,
        )
    return _encoded(image, "JPEG", quality=88)


def sewer_vault() -> bytes:
    """The vault that covers a brook: brick arches going away, the water at the bottom."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), (30, 26, 24))
    draw = ImageDraw.Draw(image)
    for n in range(9, -1, -1):  # arches, the farthest first
        scale = 0.25 + n * 0.085
        w, h = width * scale, height * scale
        left, top = (width - w) / 2, (height - h) / 2 - 40
        tone = int(60 + n * 14)
        draw.ellipse(
            [left, top, left + w, top + h * 1.4],
            outline=(tone + 50, tone, tone - 20),
            width=int(6 + n * 2),
        )
    draw.rectangle([0, 700, width, height], fill=(30, 26, 24))
    for y in range(700, height, 14):  # the water, lit from a manhole
        draw.line([(0, y), (width, y)], fill=(40, 90 + (y - 700) // 8, 110), width=6)
    draw.ellipse([560, 40, 840, 120], fill=(250, 240, 200))
    return _encoded(image, "JPEG", quality=88)


def street_line() -> bytes:
    """A street seen from above, with a blue line painted where the river runs below."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), (128, 128, 124))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for _ in range(60):  # paving stones
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle([x, y, x + 80, y + 40], outline=(110, 110, 106), width=3)
    draw.rectangle([0, 0, 260, height], fill=(196, 180, 160))  # houses on both sides
    draw.rectangle([width - 260, 0, width, height], fill=(180, 164, 146))
    course = [(700 + 180 * math.sin(y / 190), y) for y in range(0, height + 20, 20)]
    draw.line(course, fill=(40, 120, 200), width=26)
    for n, (x, y) in enumerate(course[3::8]):  # walkers' steps along it
        draw.ellipse([x + 40 + (n % 2) * 30, y, x + 62 + (n % 2) * 30, y + 36], fill=INK)
    return _encoded(image, "JPEG", quality=88)


def radio_microphone() -> bytes:
    """A studio microphone in front of a window lit with the station's sign."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), (24, 34, 52))
    draw = ImageDraw.Draw(image)
    draw.rectangle([760, 120, 1300, 440], fill=(40, 60, 90), outline=(90, 120, 160), width=8)
    draw.text((800, 240), "ON AIR", font=font(96, "-Bold"), fill=(230, 70, 60))
    draw.rectangle([0, 780, width, height], fill=(70, 50, 35))  # the desk
    draw.line([(480, 780), (480, 560)], fill=(170, 170, 175), width=18)  # the stand
    draw.rounded_rectangle(
        [380, 240, 580, 580], radius=100, fill=(60, 60, 66), outline=(190, 190, 196), width=10
    )
    for y in range(280, 560, 28):
        draw.line([(410, y), (550, y)], fill=(120, 120, 128), width=4)
    return _encoded(image, "JPEG", quality=88)


def newspaper() -> bytes:
    """A folded newspaper open at its books page, a review with the cover in it."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height), (200, 196, 188))
    draw = ImageDraw.Draw(image)
    draw.polygon([(120, 80), (1280, 60), (1320, 940), (90, 960)], fill=(238, 234, 224))
    draw.text((170, 110), "LIVRES", font=font(70, "-Bold"), fill=INK)
    draw.text((170, 210), "Sous la ville, les rivières", font=font(48), fill=INK)
    draw.rectangle([170, 300, 470, 740], fill=RUST)  # the cover
    draw.text((200, 340), "La Mémoire", font=font(34), fill=PAPER)
    draw.text((200, 385), "des rivières", font=font(34), fill=PAPER)
    rng = random.Random(3)
    for column, left in enumerate((520, 900)):
        for row in range(16):
            right = left + rng.randrange(260, 340) if row % 6 != 5 else left + 150
            draw.line(
                [(left, 320 + row * 38), (right, 320 + row * 38)], fill=(110, 110, 110), width=10
            )
        del column
    return _encoded(image, "JPEG", quality=88)


def paperback() -> bytes:
    """The paperback's cover: the same river, in the pocket collection's blue."""
    width, height = 1000, 1400
    image = Image.new("RGB", (width, height), (214, 222, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([250, 200, 750, 1180], fill=(38, 82, 130))
    for n in range(8):
        draw.arc(
            (120 + n * 25, 650 + n * 30, 880 - n * 15, 1300),
            190,
            350,
            fill=(214, 222, 230),
            width=5,
        )
    draw.text((300, 270), "La Mémoire", font=font(54), fill=(246, 240, 228))
    draw.text((300, 340), "des rivières", font=font(54), fill=(246, 240, 228))
    draw.text((300, 450), "Claire Vautrin", font=font(32), fill=(246, 240, 228))
    draw.text((300, 1100), "POCHE", font=font(30, "-Bold"), fill=(246, 200, 90))
    return _encoded(image, "PNG")


def canal() -> bytes:
    """A canal between old houses at dusk, the water reflecting their windows."""
    width, height = 1400, 1000
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=(230 - y // 8, 160 - y // 10, 120 + y // 20))
    rng = random.Random(1929)
    x = 0
    while x < width:  # houses
        w, top = rng.randrange(120, 220), rng.randrange(120, 330)
        color = rng.choice([(200, 120, 80), (220, 170, 100), (170, 90, 70), (230, 200, 150)])
        draw.rectangle([x, top, x + w, 600], fill=color)
        for wy in range(top + 40, 560, 90):
            for wx in range(x + 20, x + w - 30, 55):
                draw.rectangle([wx, wy, wx + 25, wy + 45], fill=(255, 220, 140))
        x += w
    draw.rectangle([0, 600, width, height], fill=(40, 70, 90))
    for y in range(620, height, 18):  # reflections
        for _ in range(6):
            rx = rng.randrange(width)
            draw.line([(rx, y), (rx + rng.randrange(30, 90), y)], fill=(230, 190, 120), width=4)
    return _encoded(image, "JPEG", quality=88)


def video_poster() -> bytes:
    """The launch evening's video, as the demo's poster of its YouTube link: a reading lit
    from above (the demo draws it; a real site fetches the provider's own when saving)."""
    width, height = 1280, 720
    image = Image.new("RGB", (width, height), (28, 22, 18))
    draw = ImageDraw.Draw(image)
    for r in range(420, 0, -6):  # the spotlight
        tone = int(40 + (420 - r) * 0.35)
        draw.ellipse(
            [640 - r, 320 - r * 0.7, 640 + r, 320 + r * 0.7], fill=(tone + 40, tone + 20, tone)
        )
    draw.rectangle([560, 380, 720, 640], fill=(60, 40, 30))  # the lectern
    draw.ellipse([600, 200, 680, 280], fill=(220, 180, 150))  # the reader
    draw.rectangle([590, 280, 690, 390], fill=(90, 40, 30))
    for n in range(7):  # the audience, from behind
        x = 80 + n * 170
        draw.ellipse([x, 560, x + 90, 650], fill=(15, 12, 10))
        draw.rectangle([x - 10, 630, x + 100, 720], fill=(15, 12, 10))
    return _encoded(image, "JPEG", quality=88)


DRAWINGS = {
    "map": river_map,
    "launch": launch_evening,
    "flood-mark": flood_mark,
    "press-release": press_release,
    "gauge-register": gauge_register,
    "sewer-vault": sewer_vault,
    "street-line": street_line,
    "radio": radio_microphone,
    "newspaper": newspaper,
    "paperback": paperback,
    "canal": canal,
    "video-poster": video_poster,
}
