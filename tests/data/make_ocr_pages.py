"""Renders the page that tests/data/page.hocr and page.alto.xml were read from (see README.md)."""
from PIL import Image, ImageDraw, ImageFont
lines = [
    "BAO CAO CONG TAC THANG MUOI",
    "Ngay hom nay chung toi da hop ban ve ke hoach",
    "phat trien kinh te cua xa trong nam toi.",
    "Cac dong chi can doc ky tai lieu truoc khi hop.",
    "",
    "Đối với việc làm của các hộ gia đình trong xã,",
    "ủy ban sẽ tổ chức hội nghị vào tháng tới.",
]
font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 40)
img = Image.new("L", (1400, 80 + 70 * len(lines)), 255)
d = ImageDraw.Draw(img)
for i, line in enumerate(lines):
    d.text((60, 40 + 70 * i), line, font=font, fill=0)
img.save("page.png", dpi=(300, 300))
