"""The demo's files for the book site's press kit, chapter slides and works, drawn with Pillow
(and one recording, a tone written with the standard library's wave module)."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from PIL import Image, ImageDraw

# DejaVu has the accents Pillow's own font lacks (é, è: « La Mémoire des rivières »).
from .pictures import font

PAPER, RUST, INK = (246, 240, 228), (158, 74, 38), (40, 36, 32)


def _page(lines: list[str], size=(1240, 1754), title_color=RUST) -> Image.Image:
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, size[0] - 60, 90), fill=RUST)
    y = 160
    for n, line in enumerate(lines):
        draw.text(
            (100, y), line, fill=title_color if n == 0 else INK, font=font(48 if n == 0 else 30)
        )
        y += 90 if n == 0 else 50
    return image


def cover() -> Image.Image:
    """Return the book's cover as a raster image (800 × 1200)."""
    image = Image.new("RGB", (800, 1200), RUST)
    draw = ImageDraw.Draw(image)
    for n in range(12):
        draw.arc((-200 + n * 40, 500 + n * 30, 1000 - n * 20, 1500), 190, 350, fill=PAPER, width=6)
    draw.text((80, 160), "La Mémoire", fill=PAPER, font=font(96))
    draw.text((80, 280), "des rivières", fill=PAPER, font=font(96))
    draw.text((80, 440), "Claire Vautrin", fill=PAPER, font=font(48))
    return image


BLUE, STONE, GREY = (52, 104, 160), (120, 112, 100), (170, 168, 160)


def _fresco(size=(1200, 750), detail: bool = False) -> Image.Image:
    """Return a street drawn in section over the river its vault hides."""
    width, height = size
    image = Image.new("RGB", size, GREY)
    draw = ImageDraw.Draw(image)
    ground = height // 3 if not detail else 0
    if not detail:
        draw.rectangle((0, 0, width, ground), fill=(214, 226, 236))
        for x in range(40, width, 160):
            draw.rectangle((x, ground - 120, x + 90, ground), fill=STONE)
    for y in range(ground + 10, height, 36):
        for x in range((y // 36 % 2) * 30, width, 60):
            draw.rectangle((x, y, x + 52, y + 28), outline=STONE, width=2)
    vault = (width // 8, height // 2, width * 7 // 8, height * 2)
    draw.ellipse(vault, fill=(64, 60, 56))
    water = height * 5 // 8
    for n in range(8):
        y = water + n * 22
        draw.arc((-40, y - 30, width + 40, y + 30), 0, 180, fill=BLUE, width=10)
    return image


def _strips(size=(1000, 750)) -> Image.Image:
    """Return paper strips hung side by side, as long as an hour's water was high."""
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    for n in range(24):
        length = int(200 + 380 * math.sin(n / 23 * math.pi) ** 2)
        x = 40 + n * 39
        draw.line((x + 12, 20, x + 12, 40), fill=INK, width=2)
        draw.rectangle((x, 40, x + 24, 40 + length), fill=(255, 255, 250), outline=INK)
    return image


def _erased_map(size=(1000, 700)) -> Image.Image:
    """Return an old town plan whose river has been rubbed out, leaving a pale trace."""
    image = Image.new("RGB", size, (232, 220, 190))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 70):
        draw.line((x, 0, x + 40, size[1]), fill=(150, 130, 100), width=3)
    for y in range(0, size[1], 60):
        draw.line((0, y, size[0], y + 25), fill=(150, 130, 100), width=3)
    draw.line([(0, 420), (250, 360), (500, 400), (750, 320), (1000, 350)], fill=(245, 240, 225),
              width=40)  # fmt: skip
    return image


def _tone(path: Path, seconds: float = 4.0, rate: int = 8000) -> None:
    """Write a low tone rising slowly (8-bit mono WAV, 8 kHz: a few tens of kilobytes)."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        t = n / rate
        pitch = 110 + 110 * t / seconds
        fade = min(1.0, t * 4, (seconds - t) * 4)
        frames += struct.pack("B", 128 + int(60 * fade * math.sin(2 * math.pi * pitch * t)))
    with wave.open(str(path), "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(1)
        recording.setframerate(rate)
        recording.writeframes(bytes(frames))


def image_size(path: Path) -> tuple[int, int]:
    """Return the (width, height) of an image file."""
    with Image.open(path) as image:
        return image.size


def write_demo_files(folder: Path) -> list[str]:
    """Write the files the demo's press kit and chapters name, unless there; return them."""
    written = []
    files = {
        "presse/couverture-la-memoire-des-rivieres.png": lambda path: cover().save(path),
        "presse/communique-de-presse.pdf": lambda path: _page(
            [
                "Communiqué de presse",
                "La Mémoire des rivières, de Claire Vautrin",
                "Éditions de l'Aulne, parution le 13 mars 2025.",
                "",
                "Sous nos rues coulent des rivières. Pendant plus d'un siècle, les villes",
                "les ont couvertes, rectifiées, puis effacées de leurs cartes.",
            ]
        ).save(path),
        "presse/note-biographique.pdf": lambda path: _page(
            [
                "Claire Vautrin",
                "Historienne de l'environnement.",
                "Ses travaux portent sur les petites rivières urbaines.",
            ]
        ).save(path),
    }
    for number, title in ((1, "Des eaux encombrantes"), (2, "Sous la voûte"),
                          (3, "L'hiver 1910 au pont des Tanneurs")):  # fmt: skip
        slides = [
            _page([f"Chapitre {number}", title], size=(1600, 900)),
            _page(
                [
                    title,
                    "Trois idées à retenir",
                    "— une rivière disparaît d'abord des cartes",
                    "— puis des mémoires",
                    "— enfin des rues",
                ],
                size=(1600, 900),
            ),
        ]
        files[f"chapitres/chapitre-{number}.pdf"] = lambda path, s=slides: s[0].save(
            path, save_all=True, append_images=s[1:]
        )
    files |= {
        "liaisons/riviere-sous-la-rue.png": lambda path: _fresco().save(path),
        "liaisons/riviere-sous-la-rue-detail.png": lambda path: _fresco((800, 600), True).save(
            path
        ),
        "liaisons/registre-des-hauteurs.png": lambda path: _strips().save(path),
        "liaisons/registre-des-hauteurs.wav": _tone,
        "liaisons/cartes-effacees.png": lambda path: _erased_map().save(path),
    }
    for name, write in files.items():
        path = folder / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
            written.append(name)
    return written
