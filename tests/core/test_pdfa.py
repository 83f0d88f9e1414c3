"""The structural PDF/A-3b check: a conforming file passes, and each rule it reads catches its breach."""

import io

import pikepdf
import pytest

from core.pdf.pdfa import pdfa_problems
from tests.responsibility.pdf.sealing import small_letter_pdf

LETTER = {"reference": "测试〔2026〕9号", "title": "党风廉政建设责任书", "unit": "办公室", "signer": "王珺"}


@pytest.fixture(scope="module")
def conforming() -> bytes:
    return small_letter_pdf(**LETTER)


def _changed(pdf: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        change(document)
        out = io.BytesIO()
        document.save(out, static_id=False)
        return out.getvalue()


def test_weasyprints_pdfa_output_conforms(conforming):
    assert pdfa_problems(conforming) == []


def _claim_pdf_2(document):
    document.Root.Version = pikepdf.Name("/2.0")


def _producer_differs(document):
    document.docinfo["/Producer"] = "另一个程序"


def _no_output_intent(document):
    del document.Root["/OutputIntents"]


def _no_metadata(document):
    del document.Root["/Metadata"]


def _pdfa_part_2(document):
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["pdfaid:part"] = "2"


def _javascript_on_open(document):
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")


def _hidden_annotation(document):
    document.pages[0].obj.Annots = document.make_indirect(
        pikepdf.Array(
            [pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 0, 0], F=2)]
        )
    )


def _font_not_embedded(document):
    page = document.pages[0].obj
    page.Resources.Font.Helv = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )


def _interpolated_image(document):
    image = pikepdf.Stream(document, b"\x00", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=1, Height=1, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                           Interpolate=True)  # fmt: skip
    document.pages[0].obj.Resources.XObject = pikepdf.Dictionary(Im9=image)


def _need_appearances(document):
    document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), NeedAppearances=True)


@pytest.mark.parametrize(
    ("change", "clause"),
    [
        (_claim_pdf_2, "6.1.2: the catalogue claims PDF 2.0"),
        (_producer_differs, "6.6.3: Info /Producer"),
        (_no_output_intent, "6.2.3: no PDF/A output intent"),
        (_no_metadata, "6.6.2.1: the catalogue has no XMP"),
        (_pdfa_part_2, "6.6.4: the XMP identifies PDF/A part '2'"),
        (_javascript_on_open, "6.6.1: the catalogue's /OpenAction runs a /JavaScript action"),
        (_hidden_annotation, "6.3.2: page 1: a /Text annotation is not printable"),
        (_font_not_embedded, "6.2.11.4: page 1: font /Helv has no font descriptor"),
        (_interpolated_image, "6.2.8: page 1: image /Im9 asks for interpolation"),
        (_need_appearances, "6.4.1: the form asks readers to make its appearances"),
    ],
)
def test_each_breach_is_named_by_its_clause(conforming, change, clause):
    problems = pdfa_problems(_changed(conforming, change))
    assert any(problem.startswith(clause) for problem in problems), problems


def test_bytes_after_the_last_end_of_file_marker_are_a_breach(conforming):
    assert pdfa_problems(conforming + b"\n") == []  # one end-of-line is allowed
    assert "6.1.3: something follows the last end-of-file marker" in pdfa_problems(conforming + b"\n%junk\n")


def test_a_file_that_is_not_a_pdf_is_one_answer_not_an_exception():
    assert pdfa_problems(b"not a pdf")[0].startswith("6.1.2: the file does not start")
