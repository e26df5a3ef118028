"""Every vendored file is listed in static/vendor/VENDORED.md with its true sha256."""
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
LIST = VENDOR / "VENDORED.md"


def listed_files():
    """{file name: sha256} from the Markdown table of VENDORED.md."""
    rows = [
        [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]
        for line in LIST.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("|")
    ]
    header = [cell.lower() for cell in rows[0]]
    file_col, sha_col = header.index("file"), header.index("sha256")
    return {
        row[file_col]: row[sha_col].lower()
        for row in rows[1:]
        if not set(row[file_col]) <= set("-: ")  # skip the |---|---| separator row
    }


def test_vendored_list_is_not_empty():
    assert listed_files(), "VENDORED.md lists no file"


def test_every_listed_file_has_the_listed_sha256():
    for name, expected in listed_files().items():
        path = VENDOR / name
        assert path.is_file(), f"{name} is listed in VENDORED.md but missing from static/vendor/"
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        assert actual == expected, f"{name}: sha256 is {actual}, VENDORED.md says {expected}"


def test_every_vendored_file_is_listed():
    present = {p.name for p in VENDOR.iterdir() if p.is_file() and p.name != "VENDORED.md"}
    unlisted = sorted(present - set(listed_files()))
    assert not unlisted, f"not listed in static/vendor/VENDORED.md: {unlisted}"
