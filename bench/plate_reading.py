"""How well agentclpr reads plates from pictures (PINGAN_PARKING_IMAGE_READER):
a labelled set of GA 36-2018 plates drawn to the standard's layout (440 × 140 mm,
characters 45 × 90 mm 12 mm apart, the dot after the issuing letter; blue with
white characters, yellow and white with black, the 8-character new-energy plate
on green with black) in a street picture at three sizes and on several
backgrounds; then read through `pingan.parking.reading`, as a camera's picture is.

The set is drawn, not photographed: no labelled photographs of plates may be
downloaded here. The figures say how the reader does on clean plates of the
standard's shape, an upper bound for real pictures (dirt, angle, glare, night).

`python bench/plate_reading.py` prints the figures; `--picture PATH TEXT` writes
one picture (the test's)."""

from __future__ import annotations

import io
import random
import sys
import time

from _setup import django_setup, report
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SERIAL = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
COLOURS = {  # background, characters
    "blue": ((0, 70, 180), (255, 255, 255)),
    "yellow": ((250, 200, 0), (0, 0, 0)),
    "white": ((245, 245, 245), (0, 0, 0)),
    "green": ((120, 210, 130), (0, 0, 0)),
}
PER_KIND = 40
SIZES = (0.5, 0.7, 1.0)  # of a 440-pixel-wide plate in a 1280 × 720 picture


def plate_text(rng: random.Random, colour: str) -> str:
    province = rng.choice(PROVINCES)
    if colour == "green":  # small new-energy: D/F then five
        return province + rng.choice("ABCDEFGHJK") + rng.choice("DF") + _serial(rng, 5)
    return province + rng.choice("ABCDEFGHJK") + _serial(rng, 5)


def _serial(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SERIAL) for _ in range(n))


def plate_image(text: str, colour: str) -> Image.Image:
    background, ink = COLOURS[colour]
    font = ImageFont.truetype(FONT, 80)
    width = 480 if len(text) == 8 else 440
    step = 43 + 9 if len(text) == 8 else 45 + 12
    image = Image.new("RGB", (width, 140), background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([5, 5, width - 6, 134], radius=8, outline=ink, width=3)
    x = 15.5
    for index, char in enumerate(text):
        glyph = Image.new("RGB", (90, 90), background)
        ImageDraw.Draw(glyph).text((45, 45), char, font=font, fill=ink, anchor="mm")
        image.paste(glyph.resize((step - 12 if len(text) == 8 else 45, 90)), (int(x), 25))
        x += step
        if index == 1:
            draw.ellipse([x - 1, 66, x + 9, 76], fill=ink)
            x += 22
    return image


def picture(text: str, colour: str, scale: float, rng: random.Random) -> bytes:
    scene = Image.new("RGB", (1280, 720), (rng.randrange(60, 140),) * 3)
    ImageDraw.Draw(scene).rectangle([300, 200, 980, 650], fill=_car(rng))
    plate = plate_image(text, colour)
    size = (int(plate.width * scale), int(plate.height * scale))
    scene.paste(plate.resize(size), (640 - size[0] // 2, 480))
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=85)
    return out.getvalue()


def _car(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(20, 200), rng.randrange(20, 200), rng.randrange(20, 200))


def main() -> None:
    if sys.argv[1:2] == ["--picture"]:
        path, text = sys.argv[2], sys.argv[3]
        with open(path, "wb") as out:
            out.write(picture(text, "blue", 0.5, random.Random(1)))
        return
    django_setup()
    from pingan.parking import reading

    rng = random.Random(36)
    reading.read_image(picture("青B12345", "blue", 1.0, rng))  # the model loaded
    rows = []
    for colour in COLOURS:
        for scale in SIZES:
            for _ in range(PER_KIND):
                text = plate_text(rng, colour)
                data = picture(text, colour, scale, rng)
                started = time.perf_counter()
                found = reading.read_image(data)
                rows.append((colour, scale, text, found, time.perf_counter() - started))
    report(_figures(rows))


def _figures(rows: list) -> dict:
    def share(subset: list, test) -> float:
        return round(100 * sum(1 for row in subset if test(row)) / len(subset), 1)

    def exact(row) -> bool:
        return row[3] is not None and row[3].text == row[2]

    def tail(row) -> bool:  # right but for the province character
        return row[3] is not None and row[3].text[-len(row[2]) + 1 :] == row[2][1:]

    by = {}
    for colour in COLOURS:
        for scale in SIZES:
            subset = [r for r in rows if r[0] == colour and r[1] == scale]
            by[f"{colour} {int(scale * 440)}px"] = share(subset, exact)
    seconds = sorted(row[4] for row in rows)
    return {
        "bench": "plate_reading",
        "reader": "agentclpr 1.1.0",
        "pictures": len(rows),
        "found_pct": share(rows, lambda r: r[3] is not None),
        "exact_pct": share(rows, exact),
        "exact_but_province_pct": share(rows, tail),
        "exact_pct_by_colour_and_width": by,
        "wrong_but_confident_pct": share(
            rows, lambda r: r[3] is not None and not exact(r) and r[3].confidence >= 80
        ),
        "seconds_p50": round(seconds[len(seconds) // 2], 3),
    }


if __name__ == "__main__":
    main()
