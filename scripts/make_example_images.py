"""Regenerate the example's post images in content_library/assets/posts/.

Usage, from the repository root (any Python with Pillow installed):

    python3 -m venv /tmp/imgvenv && /tmp/imgvenv/bin/pip install pillow
    /tmp/imgvenv/bin/python scripts/make_example_images.py

The short videos in content_library/assets/videos/ are made from these images
by scripts/make_example_videos.sh (ffmpeg only); run this script first when a
card changes, then that one.

Needs the Noto Sans CJK fonts (Debian/Ubuntu package fonts-noto-cjk).
Every image is a plain card: coloured header, a simple drawing, short Chinese
lines. Images are saved as palette PNGs so each stays well under 120 KB.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "content_library" / "assets" / "posts"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
SC = 2  # index of "Noto Sans CJK SC" inside the .ttc collections

W, H = 720, 1400  # drawing canvas; finish() crops to the content
BG = (246, 248, 251)
NAVY = (24, 63, 110)
ORANGE = (240, 133, 35)
GREEN = (46, 140, 87)
RED = (205, 55, 50)
INK = (40, 44, 52)
GREY = (120, 128, 140)
LIGHT = (225, 231, 238)
WHITE = (255, 255, 255)
RUBBER = (52, 55, 60)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size, index=SC)


NO_LINE_START = set("，。、；：！？）》”…%")


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break Chinese text character by character so each line fits `width` pixels."""
    lines: list[str] = []
    current = ""
    for char in text:
        too_long = draw.textlength(current + char, font=fnt) > width
        if too_long and current and char not in NO_LINE_START:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def new_card(title: str, subtitle: str, colour: tuple[int, int, int] = NAVY,
             height: int = H) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (W, height), BG)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, W, 190), fill=colour)
    draw.rectangle((0, 190, W, 198), fill=ORANGE)
    draw.text((48, 38), title, font=font(60, bold=True), fill=WHITE)
    draw.text((50, 122), subtitle, font=font(28), fill=(220, 230, 242))
    return image, draw


def finish(image: Image.Image, draw: ImageDraw.ImageDraw, bottom: int, name: str,
           text: str = "路安轮胎 · 门店车友群 温馨提示") -> None:
    """Draw the footer under the content, crop the canvas (at least 720x960) and save."""
    height = max(960, bottom + 100)
    draw.line((48, height - 78, W - 48, height - 78), fill=LIGHT, width=2)
    draw.text((48, height - 62), text, font=font(24), fill=GREY)
    save(image.crop((0, 0, W, height)), name)


def numbered(draw: ImageDraw.ImageDraw, top: int, items: list[tuple[str, str]],
             colour: tuple[int, int, int] = NAVY, gap: int = 22) -> int:
    """Numbered list: bold head line plus a wrapped grey explanation; returns the next y."""
    y = top
    for number, (head, detail) in enumerate(items, start=1):
        draw.ellipse((48, y + 2, 96, y + 50), fill=colour)
        label = str(number)
        draw.text((72 - draw.textlength(label, font=font(30, True)) / 2, y + 3), label,
                  font=font(30, True), fill=WHITE)
        draw.text((116, y), head, font=font(34, True), fill=INK)
        y += 50
        for line in wrap(draw, detail, font(26), W - 116 - 48):
            draw.text((116, y), line, font=font(26), fill=GREY)
            y += 38
        y += gap
    return y


def tyre_side(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    """A tyre seen from the side: rubber ring, tread notches, steel rim."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=RUBBER)
    for k in range(36):
        angle = 2 * math.pi * k / 36
        x1, y1 = cx + (r - 2) * math.cos(angle), cy + (r - 2) * math.sin(angle)
        x2, y2 = cx + (r - 16) * math.cos(angle), cy + (r - 16) * math.sin(angle)
        draw.line((x1, y1, x2, y2), fill=(80, 84, 90), width=6)
    rim = int(r * 0.55)
    draw.ellipse((cx - rim, cy - rim, cx + rim, cy + rim), fill=(190, 196, 204))
    draw.ellipse((cx - rim // 3, cy - rim // 3, cx + rim // 3, cy + rim // 3), fill=(150, 156, 166))
    for k in range(8):
        angle = 2 * math.pi * k / 8
        x, y = cx + rim * 0.68 * math.cos(angle), cy + rim * 0.68 * math.sin(angle)
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(120, 126, 136))


def tick(draw: ImageDraw.ImageDraw, x: int, y: int, size: int = 48) -> None:
    draw.ellipse((x, y, x + size, y + size), fill=GREEN)
    draw.line((x + size * 0.25, y + size * 0.52, x + size * 0.43, y + size * 0.70,
               x + size * 0.76, y + size * 0.32), fill=WHITE, width=6, joint="curve")


def cross(draw: ImageDraw.ImageDraw, x: int, y: int, size: int = 48) -> None:
    draw.ellipse((x, y, x + size, y + size), fill=RED)
    m = size * 0.3
    draw.line((x + m, y + m, x + size - m, y + size - m), fill=WHITE, width=6)
    draw.line((x + size - m, y + m, x + m, y + size - m), fill=WHITE, width=6)


def save(image: Image.Image, name: str) -> None:
    path = OUT / name
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True)
    print(f"{name}: {path.stat().st_size // 1024} KB")


# --- the images ---------------------------------------------------------------


def winter_pressure() -> None:
    image, draw = new_card("冬季胎压参考", "天冷胎压会掉，出车前冷胎测一遍")
    # thermometer
    draw.rounded_rectangle((70, 240, 110, 400), radius=20, outline=NAVY, width=6, fill=WHITE)
    draw.ellipse((58, 380, 122, 444), fill=NAVY)
    draw.rectangle((82, 320, 98, 400), fill=NAVY)
    for k in range(4):
        draw.line((116, 262 + k * 32, 132, 262 + k * 32), fill=NAVY, width=4)
    draw.text((150, 300), "气温降", font=font(34, True), fill=INK)
    draw.text((150, 344), "胎压跟着降", font=font(34, True), fill=ORANGE)
    # gauge
    cx, cy, r = 540, 345, 105
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE, outline=NAVY, width=8)
    draw.arc((cx - r + 22, cy - r + 22, cx + r - 22, cy + r - 22), 150, 250, fill=RED, width=14)
    draw.arc((cx - r + 22, cy - r + 22, cx + r - 22, cy + r - 22), 250, 330, fill=GREEN, width=14)
    draw.arc((cx - r + 22, cy - r + 22, cx + r - 22, cy + r - 22), 330, 390, fill=ORANGE, width=14)
    angle = math.radians(215)
    draw.line((cx, cy, cx + 72 * math.cos(angle), cy + 72 * math.sin(angle)), fill=INK, width=7)
    draw.ellipse((cx - 12, cy - 12, cx + 12, cy + 12), fill=INK)
    draw.text((cx - 48, cy + 40), "偏低", font=font(30, True), fill=RED)
    y = numbered(draw, 490, [
        ("冷胎测才准", "停车几个小时后、出车前测；刚跑完长途的热胎读数偏高，别拿它当标准。"),
        ("按标准值打气", "看车辆铭牌、轮胎厂家或门店给的推荐值，别凭手感、别用脚踢。"),
        ("降温要补气", "气温每降 10℃，胎压大约低 3%～4%，入冬头一周全车查一遍。"),
        ("双胎内外都测", "里侧那条最容易漏测；气门帽拧紧，防冰水进气门芯。"),
    ], gap=14)
    finish(image, draw, y, "winter-pressure.png")


def tread_depth() -> None:
    image, draw = new_card("胎纹深度自查", "找到花纹沟里的“小台阶”，一眼看出该不该换")
    # tread cross-section: blocks with grooves, one groove holds a wear bar
    top, base = 270, 430
    draw.rectangle((60, base, 660, base + 40), fill=RUBBER)
    blocks = [(60, 190), (250, 380), (440, 570), (630, 660)]
    for x1, x2 in blocks:
        draw.rectangle((x1, top, x2, base), fill=RUBBER)
    draw.rectangle((190, 392, 250, base), fill=ORANGE)  # wear indicator in a groove
    draw.line((200, 392, 200, 290), fill=ORANGE, width=3)
    draw.text((110, 238), "磨损标记", font=font(26, True), fill=ORANGE)
    # depth arrow in the next groove
    draw.line((410, top, 410, base), fill=NAVY, width=4)
    draw.polygon([(410, top), (400, top + 18), (420, top + 18)], fill=NAVY)
    draw.polygon([(410, base), (400, base - 18), (420, base - 18)], fill=NAVY)
    draw.text((400, 238), "花纹深度", font=font(26, True), fill=NAVY)
    draw.text((60, 490), "花纹磨到和磨损标记一样平，就该换了", font=font(32, True), fill=RED)
    y = numbered(draw, 570, [
        ("国标参考", "转向轮花纹深度不低于 3.2 毫米，其他轮不低于 1.6 毫米，以检测站执行为准。"),
        ("转向轮要求更严", "前轮管方向，磨得差不多就往后轮调，别等到极限。"),
        ("偏磨先查原因", "一边磨得快、啃胎、波浪磨，多半是定位或气压问题，换胎前先查。"),
    ], gap=14)
    finish(image, draw, y, "tread-depth.png")


def tyre_bulge() -> None:
    image, draw = new_card("鼓包别硬跑", "胎侧起包，说明里面的帘线已经断了", colour=(150, 40, 36))
    cx, cy, r = 360, 410, 170
    tyre_side(draw, cx, cy, r)
    # bulge on the sidewall, upper right
    angle = math.radians(-40)
    bx, by = cx + (r - 4) * math.cos(angle), cy + (r - 4) * math.sin(angle)
    draw.ellipse((bx - 46, by - 40, bx + 46, by + 40), fill=(70, 73, 78), outline=RED, width=6)
    draw.line((bx + 40, by - 36, 640, 250), fill=RED, width=4)
    draw.text((560, 206), "鼓包", font=font(34, True), fill=RED)
    y = numbered(draw, 620, [
        ("不能补，只能换", "鼓包是胎体受伤，补了也不安全，高速上最容易爆。"),
        ("发现就降速", "开双闪慢慢靠边，换上备胎，或者打电话让门店送胎。"),
        ("常见起因", "压坑、蹭马路牙子、长期亏气跑，出车前绕车看一圈。"),
    ], colour=RED, gap=10)
    finish(image, draw, y, "tyre-bulge.png")


def mixing_tyres() -> None:
    image, draw = new_card("同一根轴 不混装", "子午线胎和斜交胎，千万别装在一起")

    def axle(x: int, label_left: str, label_right: str, ok: bool) -> None:
        y = 300
        draw.rectangle((x + 40, y + 110, x + 220, y + 126), fill=GREY)  # axle beam
        for tx, label in ((x, label_left), (x + 200, label_right)):
            draw.rounded_rectangle((tx, y, tx + 60, y + 236), radius=16, fill=RUBBER)
            for k in range(7):
                draw.line((tx + 6, y + 20 + k * 32, tx + 54, y + 20 + k * 32), fill=(90, 94, 100), width=5)
            draw.text((tx + 30 - draw.textlength(label, font=font(26, True)) / 2, y + 250), label,
                      font=font(26, True), fill=INK)
        (tick if ok else cross)(draw, x + 104, y + 36, 52)

    axle(50, "子午线", "子午线", True)
    axle(410, "子午线", "斜交胎", False)
    draw.text((100, 600), "同轴一致", font=font(30, True), fill=GREEN)
    draw.text((460, 600), "同轴混装", font=font(30, True), fill=RED)
    y = numbered(draw, 668, [
        ("结构、规格、花纹尽量一致", "两种结构变形不一样，转弯刹车时车会往一边拽。"),
        ("双胎并装两条要“一样高”", "新旧差太多，新胎一直替旧胎扛着，磨得飞快。"),
    ], gap=10)
    finish(image, draw, y, "mixing-tyres.png")


def spare_tyre() -> None:
    image, draw = new_card("备胎四查", "用不上的时候没人管，用得上的时候就要命")
    tyre_side(draw, 560, 330, 100)
    draw.text((60, 250), "入冬前", font=font(40, True), fill=NAVY)
    draw.text((60, 306), "把备胎放下来", font=font(40, True), fill=INK)
    draw.text((60, 362), "看一看", font=font(40, True), fill=INK)
    y = numbered(draw, 470, [
        ("查气压", "备胎放久了也会亏气，每月顺手测一次，按标准补足。"),
        ("查老化", "看胎侧有没有裂纹、鼓包，看生产日期，太老的胎只能应急。"),
        ("查吊架", "升降器、链条、螺丝有没有锈死，关键时候放不下来最耽误事。"),
        ("查工具", "千斤顶、套筒扳手、三角警示牌、反光背心，一样别少。"),
    ], colour=ORANGE, gap=8)
    finish(image, draw, y, "spare-tyre.png")


def diesel_grade() -> None:
    image, draw = new_card("冬季柴油标号参考", "按沿途最低气温选标号，防止油路结蜡")
    rows = [("5 号", "8℃ 以上"), ("0 号", "4℃ 以上"), ("-10 号", "-5℃ 以上"),
            ("-20 号", "-14℃ 以上"), ("-35 号", "-29℃ 以上"), ("-50 号", "-44℃ 以上")]
    x1, x2, x3 = 60, 300, 660
    y = 240
    draw.rectangle((x1, y, x3, y + 64), fill=NAVY)
    draw.text((x1 + 30, y + 12), "柴油标号", font=font(30, True), fill=WHITE)
    draw.text((x2 + 30, y + 12), "适用的最低气温", font=font(30, True), fill=WHITE)
    y += 64
    for number, (grade, temp) in enumerate(rows):
        fill = WHITE if number % 2 == 0 else LIGHT
        draw.rectangle((x1, y, x3, y + 64), fill=fill)
        draw.text((x1 + 30, y + 12), grade, font=font(32, True), fill=ORANGE if "-" in grade else INK)
        draw.text((x2 + 30, y + 12), temp, font=font(32), fill=INK)
        y += 64
    draw.rectangle((x1, 240, x3, y), outline=NAVY, width=3)
    draw.line((x2, 240, x2, y), fill=NAVY, width=2)
    y += 36
    for line in ["往北跑，出发前换低标号，别等半路熄火。",
                 "油箱别跑到底，空箱更容易进水结冰。",
                 "具体以加油站公示和当地气温为准。"]:
        draw.text((60, y), "· " + line, font=font(28), fill=INK)
        y += 50
    finish(image, draw, y, "diesel-grade.png")


def product_card(name: str, model: str, line: str, points: list[str], sizes: str,
                 colour: tuple[int, int, int], filename: str) -> None:
    image, draw = new_card(name, line, colour=colour)
    draw.text((48, 230), model, font=font(56, True), fill=colour)
    tyre_side(draw, 540, 420, 140)
    y = 330
    for point in points:
        draw.rounded_rectangle((48, y, 360, y + 64), radius=14, fill=WHITE, outline=LIGHT, width=2)
        draw.rectangle((48, y, 58, y + 64), fill=ORANGE)
        draw.text((76, y + 12), point, font=font(30, True), fill=INK)
        y += 84
    y = max(y, 600) + 20
    draw.text((48, y), "常备规格", font=font(28, True), fill=GREY)
    draw.text((48, y + 44), sizes, font=font(34, True), fill=INK)
    draw.rounded_rectangle((48, y + 120, W - 48, y + 200), radius=40, fill=ORANGE)
    label = "到店看实物 · 价格以门店为准"
    draw.text(((W - draw.textlength(label, font=font(32, True))) / 2, y + 138), label,
              font=font(32, True), fill=WHITE)
    finish(image, draw, y + 200, filename, text="路安轮胎 · 合作门店有售")


def main() -> None:
    winter_pressure()
    tread_depth()
    tyre_bulge()
    mixing_tyres()
    spare_tyre()
    diesel_grade()
    product_card("路安 长驰", "LA-H580", "全钢子午线 · 长途干线驱动轮",
                 ["花纹深 耐磨", "低滚阻 省油", "胎体可翻新", "高速不易发热"],
                 "295/80R22.5    12R22.5", NAVY, "product-la-h580.png")
    product_card("路安 雪行", "LA-W330", "全钢子午线 · 冬季雪地全位置",
                 ["多刀槽 抓地", "耐低温胶料", "排雪排水快", "山区坡道稳"],
                 "295/80R22.5    11R22.5", (30, 96, 140), "product-la-w330.png")


if __name__ == "__main__":
    main()
