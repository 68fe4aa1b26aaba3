"""Reading exports: encodings, delimiters, physical line numbers and report footers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from advocacy.signals.imports.reading import (
    CsvSource,
    FileFormat,
    ImportFileError,
    detect_delimiter,
    detect_format,
)
from advocacy.signals.tests.files import SALESFORCE_FOOTER, write_csv

HEADER = ["email", "first_name", "title"]
ROWS = [["zoë@acme.com", "Zoë", "Directeur général"], ["rene@acme.com", "René", "Ingénieur"]]


def read_all(path: Path) -> tuple[FileFormat, list[str], list[tuple[int, list[str]]]]:
    fmt = detect_format(path)
    with CsvSource(path, fmt) as source:
        return fmt, source.header, list(source.rows())


def test_utf8_with_bom(tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS, encoding="utf-8-sig")
    fmt, header, rows = read_all(path)
    assert (fmt, header) == (FileFormat("utf-8-sig", ","), HEADER)
    assert rows == [(2, ROWS[0]), (3, ROWS[1])]


def test_cp1252_with_semicolons(tmp_path):
    """GIVEN a European Excel export WHEN read THEN cp1252 and ';' are found, accents intact."""
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS, encoding="cp1252", delimiter=";")
    fmt, header, rows = read_all(path)
    assert header == HEADER
    assert fmt == FileFormat("cp1252", ";")
    assert rows[1] == (3, ["rene@acme.com", "René", "Ingénieur"])


def test_cp1252_accent_far_down_the_file(tmp_path):
    """The UTF-8 check probes the whole file, not only its head."""
    rows = [[f"p{i}@acme.com", "Plain", "Ascii"] for i in range(60_000)] + [ROWS[1]]
    path = write_csv(tmp_path / "a.csv", HEADER, rows, encoding="cp1252")
    assert detect_format(path) == FileFormat("cp1252", ",")


def test_utf16_with_tabs(tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS, encoding="utf-16", delimiter="\t")
    fmt, header, rows = read_all(path)
    assert (fmt, header, rows[0]) == (FileFormat("utf-16", "\t"), HEADER, (2, ROWS[0]))


def test_pipe_delimiter_and_plain_ascii(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["a", "b"], [["1", "2"]], delimiter="|")
    assert detect_format(path) == FileFormat("utf-8", "|")


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [("a,b;c\n1,2;3\n", ","), ("name;city\nAcme;Paris, France\n", ";"), ("single\nx\n", ",")],
)
def test_detect_delimiter(sample, delimiter):
    assert detect_delimiter(sample) == delimiter


def test_line_numbers_count_multiline_cells_and_skip_blank_lines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('email,title\r\na@x.com,"Head of\nPlatform"\r\n\r\nb@x.com,CTO\r\n')
    _, _, rows = read_all(path)
    assert rows == [(2, ["a@x.com", "Head of\nPlatform"]), (5, ["b@x.com", "CTO"])]


def test_salesforce_footer_is_skipped(tmp_path):
    path = write_csv(
        tmp_path / "report.csv", ["Email", "Title"], [["a@x.com", "CTO"]], footer=SALESFORCE_FOOTER
    )
    fmt = detect_format(path)
    with CsvSource(path, fmt) as source:
        assert list(source.rows()) == [(2, ["a@x.com", "CTO"])]
        assert source.skipped_footer == 5


def test_a_lone_cell_that_is_not_a_footer_is_a_row(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["Email", "Title"], [["a@x.com", "CTO"], ["b@x.com"]])
    _, _, rows = read_all(path)
    assert rows == [(2, ["a@x.com", "CTO"]), (3, ["b@x.com"])]


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\r\n\r\n")
    with pytest.raises(ImportFileError, match="the file is empty: expected a header row"):
        read_all(path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(ImportFileError, match="cannot tell the file's text encoding"):
        read_all(path)


def test_cyrillic_code_page_is_not_forced_to_cp1252(tmp_path):
    rows = [["Москва", "Привет мир, как дела"], ["Санкт-Петербург", "хорошо спасибо"]]
    path = write_csv(tmp_path / "a.csv", ["name", "note"], rows, encoding="cp1251", delimiter=";")
    fmt, _, read = read_all(path)
    assert (fmt, read[0][1]) == (FileFormat("cp1251", ";"), rows[0])
