"""The demo's files for the book site's press kit and chapter slides, drawn with Pillow."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

PAPER, RUST, INK = (246, 240, 228), (158, 74, 38), (40, 36, 32)


def _page(lines: list[str], size=(1240, 1754), title_color=RUST) -> Image.Image:
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, size[0] - 60, 90), fill=RUST)
    y = 160
    for n, line in enumerate(lines):
        draw.text(
            (100, y), line, fill=title_color if n == 0 else INK, font_size=48 if n == 0 else 30
        )
        y += 90 if n == 0 else 50
    return image


def cover() -> Image.Image:
    """Return the book's cover as a raster image (800 × 1200)."""
    image = Image.new("RGB", (800, 1200), RUST)
    draw = ImageDraw.Draw(image)
    for n in range(12):
        draw.arc((-200 + n * 40, 500 + n * 30, 1000 - n * 20, 1500), 190, 350, fill=PAPER, width=6)
    draw.text((80, 160), "La Mémoire", fill=PAPER, font_size=96)
    draw.text((80, 280), "des rivières", fill=PAPER, font_size=96)
    draw.text((80, 440), "Claire Vautrin", fill=PAPER, font_size=48)
    return image


def write_demo_files(folder: Path) -> list[str]:
    """Write the files the demo's press kit and chapters name, unless there; return them."""
    written = []
    files = {
        "presse/couverture-la-memoire-des-rivieres.png": lambda path: cover().save(path),
        "presse/communique-de-presse.pdf": lambda path: _page(
            [
                "Communiqué de presse",
                "La Mémoire des rivières, de Claire Vautrin",
                "Éditions du Confluent, parution le 13 mars 2025.",
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
    for name, write in files.items():
        path = folder / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
            written.append(name)
    return written
