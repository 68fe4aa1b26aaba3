"""The badge as an SVG image (and a PNG for link previews), drawn here: no external font, image
or stylesheet is fetched.

1200 by 630 (the size link previews use). The text is escaped; a long name is shortened so it
fits its line.
"""

from __future__ import annotations

import io

from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFont

from advocacy.recognition.services import BadgeView

WIDTH, HEIGHT = 1200, 630
FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
MAX_NAME = 34


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def badge_svg(view: BadgeView, program: str) -> str:
    """The badge image: the programme, "Customer Champion", the name if consented, tier, year."""
    name = escape(_fit(view.name, MAX_NAME)) if view.name else ""
    tier = escape(_fit(view.tier, 40))
    program_text = escape(_fit(program, 60))
    title = escape(view.title)
    name_line = (
        f'<text x="600" y="388" font-size="56" font-weight="600" fill="#10213f">{name}</text>'
        if name
        else ""
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" \
viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="badge-title">
<title id="badge-title">{title}</title>
<rect width="{WIDTH}" height="{HEIGHT}" fill="#f5f7fb"/>
<rect x="24" y="24" width="1152" height="582" rx="28" fill="#ffffff" stroke="#2f5bd3" \
stroke-width="6"/>
<g font-family="{FONT}" text-anchor="middle">
<circle cx="600" cy="150" r="62" fill="#2f5bd3"/>
<path d="M600 104 l14 29 32 5 -23 22 6 32 -29 -15 -29 15 6 -32 -23 -22 32 -5z" fill="#ffd34d"/>
<text x="600" y="268" font-size="30" fill="#5b6577" letter-spacing="4">{program_text}</text>
<text x="600" y="322" font-size="64" font-weight="700" fill="#2f5bd3">Customer Champion</text>
{name_line}
<text x="600" y="470" font-size="36" fill="#10213f">{tier} · {view.year}</text>
</g>
</svg>
"""


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from the system's fonts (it covers accented names); Pillow's own otherwise."""
    for name in ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def badge_png(view: BadgeView, program: str) -> bytes:
    """The same badge as a PNG, for link previews: most networks do not show an SVG there."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#f5f7fb")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (24, 24, 1176, 606), radius=28, fill="#ffffff", outline="#2f5bd3", width=6
    )
    draw.ellipse((538, 88, 662, 212), fill="#2f5bd3")
    star = [(600, 104), (614, 133), (646, 138), (623, 160), (629, 192), (600, 177), (571, 192),
            (577, 160), (554, 138), (586, 133)]  # fmt: skip
    draw.polygon(star, fill="#ffd34d")
    lines = [
        (258, _fit(program, 60), _font(30), "#5b6577"),
        (312, "Customer Champion", _font(64, bold=True), "#2f5bd3"),
        (378, _fit(view.name, MAX_NAME), _font(56, bold=True), "#10213f"),
        (460, f"{_fit(view.tier, 40)} · {view.year}", _font(36), "#10213f"),
    ]
    for y, text, font, colour in lines:
        if text:
            draw.text((600, y), text, font=font, fill=colour, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
