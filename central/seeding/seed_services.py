"""The service catalog seeded for every Banyuwangi office.

Letter types and their requirements ("syarat") follow what village offices ask for in
OpenSID: each declares its form fields and which documents are scanned at the kiosk or
brought to the office.
"""

from __future__ import annotations

from typing import Any

_PURPOSE = {
    "name": "keperluan",
    "type": "textarea",
    "label": {"id": "Keperluan surat", "en": "Purpose of the letter"},
    "required": True,
    "max_length": 200,
}


# SKTM purposes residents give most (an SKTM is asked for treatment costs, school fees and
# scholarships, social aid, the state-paid BPJS health insurance): one touch each, instead of
# typing. The Indonesian text is what the letter says.
_SKTM_PURPOSES = [
    {"id": "Berobat", "en": "Medical treatment"},
    {"id": "Sekolah anak", "en": "Child's schooling"},
    {"id": "Beasiswa", "en": "Scholarship"},
    {"id": "Bantuan sosial", "en": "Social assistance"},
    {"id": "BPJS Kesehatan (PBI)", "en": "State health insurance (BPJS PBI)"},
    {"id": "Keringanan biaya rumah sakit", "en": "Hospital fee relief"},
]

# The monthly family income as a band chosen with one touch, not a number typed: an SKTM
# needs to show the family is poor, not its exact income. Written in digits only, so they read
# the same in both languages; the bands do not overlap.
INCOME_BANDS = [
    "Rp 0 - 500.000",
    "Rp 500.001 - 1.000.000",
    "Rp 1.000.001 - 2.000.000",
    "Rp 2.000.001 - 3.000.000",
    "> Rp 3.000.000",
]


def _doc(name: str, label_id: str, label_en: str, provide: str = "scan") -> dict[str, Any]:
    return {
        "name": name,
        "label": {"id": label_id, "en": label_en},
        "provide": provide,
        "required": True,
    }


_KK = _doc("kk", "Kartu Keluarga", "Family card (KK)")
_RT_RW = _doc("pengantar_rt", "Surat pengantar RT/RW", "Cover letter from the RT/RW head")

SERVICES: list[dict[str, Any]] = [
    {
        "id": "sktm",
        "kind": "letter",
        "label": {
            "id": "Surat Keterangan Tidak Mampu (SKTM)",
            "en": "Certificate of low income (SKTM)",
        },
        "fields": [
            {**_PURPOSE, "suggestions": _SKTM_PURPOSES},
            {
                "name": "penghasilan",
                "type": "choice",
                "label": {
                    "id": "Penghasilan keluarga per bulan",
                    "en": "Monthly family income",
                },
                "required": True,
                "choices": INCOME_BANDS,
            },
        ],
        "documents": [_KK, _RT_RW],
    },
    {
        "id": "domisili",
        "kind": "letter",
        "label": {"id": "Surat Keterangan Domisili", "en": "Certificate of residence"},
        "fields": [_PURPOSE],
        "documents": [_KK, _RT_RW],
    },
    {
        "id": "usaha",
        "kind": "letter",
        "label": {"id": "Surat Keterangan Usaha", "en": "Business certificate"},
        "fields": [
            _PURPOSE,
            {
                "name": "nama_usaha",
                "type": "text",
                "label": {"id": "Nama usaha", "en": "Business name"},
                "required": True,
                "max_length": 100,
            },
            {
                "name": "jenis_usaha",
                "type": "choice",
                "label": {"id": "Jenis usaha", "en": "Kind of business"},
                "required": True,
                "choices": ["dagang", "jasa", "pertanian", "perikanan", "kerajinan", "lainnya"],
            },
        ],
        "documents": [
            _KK,
            _doc("foto_usaha", "Foto tempat usaha", "Photo of the business premises"),
        ],
    },
    {
        "id": "pengantar_ktp",
        "kind": "letter",
        "label": {"id": "Surat Pengantar KTP", "en": "Cover letter for an ID card (KTP)"},
        "fields": [_PURPOSE],
        "documents": [_KK, _RT_RW],
    },
    {
        "id": "pengantar_kk",
        "kind": "letter",
        "label": {
            "id": "Surat Pengantar Kartu Keluarga",
            "en": "Cover letter for a family card (KK)",
        },
        "fields": [_PURPOSE],
        "documents": [
            _KK,
            _RT_RW,
            _doc("akta_nikah", "Buku/akta nikah", "Marriage certificate", "bring"),
        ],
    },
    {
        "id": "kelahiran",
        "kind": "letter",
        "label": {"id": "Surat Keterangan Kelahiran", "en": "Birth certificate letter"},
        "fields": [
            {
                "name": "nama_bayi",
                "type": "text",
                "label": {"id": "Nama bayi", "en": "Baby's name"},
                "required": True,
                "max_length": 100,
            },
            {
                "name": "tanggal_lahir",
                "type": "date",
                "label": {"id": "Tanggal lahir", "en": "Date of birth"},
                "required": True,
            },
            {
                "name": "tempat_lahir",
                "type": "text",
                "label": {"id": "Tempat lahir", "en": "Place of birth"},
                "required": True,
                "max_length": 64,
            },
        ],
        "documents": [
            _KK,
            _doc(
                "surat_bidan",
                "Surat keterangan lahir dari bidan/RS",
                "Birth note from the midwife or hospital",
            ),
            _doc("buku_nikah", "Buku nikah orang tua", "Parents' marriage book", "bring"),
        ],
    },
    {
        "id": "antrian",
        "kind": "queue",
        "label": {"id": "Ambil nomor antrian", "en": "Take a queue number"},
    },
    {
        "id": "bansos",
        "kind": "bansos",
        "label": {"id": "Bantuan sosial", "en": "Social assistance"},
    },
    {
        "id": "pengaduan",
        "kind": "complaint",
        "label": {"id": "Pengaduan", "en": "Complaints"},
    },
    {
        "id": "informasi",
        "kind": "info",
        "label": {"id": "Informasi desa", "en": "Village information"},
    },
]
