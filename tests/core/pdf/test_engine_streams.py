"""The engine deflates each stream once (pdf_streams_compress_once): the file is byte for byte what
pydyf would have written, and every stream still reads back."""

import base64
import io

import pikepdf
from PIL import Image
from weasyprint import HTML

from core.pdf.engine import font_configuration, pdf_streams_compress_once
from core.pdf.fonts import pdf_fonts_compact

HTML_TEXT = """<html lang="zh-CN"><head><meta name="dcterms.created" content="2026-01-01T00:00:00Z">
<style>@page { size: A4; @bottom-center { content: "— " counter(page) " —"; } }
html { font-family: "Noto Serif CJK SC", serif; } .next { break-before: page; }</style></head>
<body><h1>党风廉政建设责任书</h1><p>认真落实“一岗双责”，抓好分管领域党风廉政建设。</p>
<img src="data:image/png;base64,{image}"><p class="next">第二页：问题整改销号。</p></body></html>"""


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 20), (180, 0, 0, 128)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _written(finisher) -> bytes:
    html = HTML(string=HTML_TEXT.replace("{image}", _png()))
    # A fixed identifier's MD5 is still taken over every object: the path that deflated twice.
    return html.write_pdf(font_config=font_configuration(), finisher=finisher, pdf_identifier=b"letters")


def test_streams_deflated_once_are_written_as_pydyf_writes_them():
    # when the same document is written with and without the engine's step
    def compact_only(document, pdf):
        pdf_fonts_compact(document, pdf)

    def compact_then_once(document, pdf):
        pdf_fonts_compact(document, pdf)
        pdf_streams_compress_once(pdf)

    pydyf_bytes = _written(compact_only)
    engine_bytes = _written(compact_then_once)

    # then the files are identical, and every stream decodes (fonts, pages, the image and its mask)
    assert engine_bytes == pydyf_bytes
    with pikepdf.open(io.BytesIO(engine_bytes)) as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        assert len(pdf.pages) == 2
        assert len(streams) >= 6
        for stream in streams:
            stream.read_bytes()
        assert all(
            stream.get("/Filter") == pikepdf.Name.FlateDecode
            for stream in streams
            if stream.get("/Type") != pikepdf.Name.XRef
        )
