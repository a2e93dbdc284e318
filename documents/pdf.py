"""PDFs with WeasyPrint, laid out after the official-document convention GB/T 9704: A4, margins of 37 mm top,
35 mm bottom, 28 mm left and 26 mm right, a title block, and page numbers "— 1 —" at the foot, outside edge.

Chinese is drawn with the bundled Noto Sans SC (assets/fonts, installed by `make fonts`), loaded by @font-face
from the file itself — never left to whatever fonts the server happens to have.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


class FontMissing(RuntimeError):
    pass


def font_faces() -> str:
    regular = settings.FONT_DIR / "NotoSansSC-Regular.ttf"
    bold = settings.FONT_DIR / "NotoSansSC-Bold.ttf"
    if not regular.exists():
        raise FontMissing(f"找不到中文字体 {regular}：请运行 make fonts。")
    faces = [
        f'@font-face {{ font-family: "Noto Sans SC"; font-weight: 400; src: url("{regular.as_uri()}"); }}'
    ]
    if bold.exists():
        faces.append(
            f'@font-face {{ font-family: "Noto Sans SC"; font-weight: 700; src: url("{bold.as_uri()}"); }}'
        )
    return "\n".join(faces)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template, {"font_faces": font_faces(), "generated_at": timezone.localtime(), **context}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
