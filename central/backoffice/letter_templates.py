"""One template per letter type: its title, archive classification code and wording.

A letter is an Indonesian legal document, so its wording is Indonesian only. The resident's
answers are printed from the service's own form (label: value), so a template never goes out
of step with the catalog; a letter type the catalog gains later without a template of its own
gets ``GENERIC``, titled from the service's label.

Classification codes follow the Kemendagri archive classification (Permendagri 78/2012) that
village offices put in front of a letter number; an office can change its own numbering by
editing this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterTemplate:
    title: str
    classification: str
    # What the signer certifies about the resident, after their particulars.
    statement: str
    # The closing sentence; ``{keperluan}`` is the letter's stated purpose when it has one.
    closing: str = (
        "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dapat dipergunakan "
        "sebagaimana mestinya."
    )


_PURPOSE_CLOSING = (
    "Surat keterangan ini diberikan untuk keperluan: {keperluan}. Demikian surat ini dibuat "
    "dengan sebenarnya untuk dapat dipergunakan sebagaimana mestinya."
)

TEMPLATES: dict[str, LetterTemplate] = {
    "sktm": LetterTemplate(
        title="SURAT KETERANGAN TIDAK MAMPU",
        classification="401",
        statement=(
            "adalah benar warga kami yang bertempat tinggal di alamat tersebut di atas dan "
            "menurut pengetahuan kami tergolong keluarga tidak mampu (kurang mampu secara "
            "ekonomi)."
        ),
        closing=_PURPOSE_CLOSING,
    ),
    "domisili": LetterTemplate(
        title="SURAT KETERANGAN DOMISILI",
        classification="470",
        statement="adalah benar berdomisili di alamat tersebut di atas, di wilayah kami.",
        closing=_PURPOSE_CLOSING,
    ),
    "usaha": LetterTemplate(
        title="SURAT KETERANGAN USAHA",
        classification="503",
        statement=(
            "adalah benar warga kami yang menjalankan usaha sebagaimana tersebut di atas di "
            "wilayah kami."
        ),
        closing=_PURPOSE_CLOSING,
    ),
    "pengantar_ktp": LetterTemplate(
        title="SURAT PENGANTAR KARTU TANDA PENDUDUK",
        classification="471",
        statement=(
            "adalah benar warga kami, dan dengan surat ini diantar untuk mengurus Kartu Tanda "
            "Penduduk elektronik (KTP-el) pada instansi yang berwenang."
        ),
        closing=_PURPOSE_CLOSING,
    ),
    "pengantar_kk": LetterTemplate(
        title="SURAT PENGANTAR KARTU KELUARGA",
        classification="470",
        statement=(
            "adalah benar warga kami, dan dengan surat ini diantar untuk mengurus Kartu "
            "Keluarga pada instansi yang berwenang."
        ),
        closing=_PURPOSE_CLOSING,
    ),
    "kelahiran": LetterTemplate(
        title="SURAT KETERANGAN KELAHIRAN",
        classification="474.1",
        statement=(
            "melaporkan kelahiran anak sebagaimana tersebut di atas, yang menurut pengetahuan "
            "kami benar lahir pada tanggal dan di tempat itu."
        ),
    ),
}

GENERIC = LetterTemplate(
    title="",  # the service's own label, in capitals
    classification="470",
    statement="adalah benar warga kami yang bertempat tinggal di alamat tersebut di atas.",
)


def template_for(service_id: str, service_label: str) -> LetterTemplate:
    """The letter type's template, or the generic one titled after the service."""
    template = TEMPLATES.get(service_id)
    if template is not None:
        return template
    return LetterTemplate(
        title=service_label.upper(),
        classification=GENERIC.classification,
        statement=GENERIC.statement,
        closing=GENERIC.closing,
    )
