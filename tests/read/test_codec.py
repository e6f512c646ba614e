"""The cache codec's paths: written relative to the folder, read back as the same Path."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from podcast.read.codec import decode_path, encode_path

# Names with the characters paths trip on: dots, spaces, a second slash, non-ASCII.
NAMES = st.sampled_from(["a", "b", "season-1", ".", "..", "a.b", "é", " ", "", "ep 01.mp3"])
TEXTS = st.lists(NAMES, max_size=5).map("/".join)
PATHS = st.tuples(st.sampled_from(["/", "//", "", "./"]), TEXTS).map(lambda p: Path(p[0] + p[1]))


def by_parts(path: Path, root: Path) -> str:
    """What encode_path wrote with Path.relative_to alone (before it took a string path)."""
    try:
        return "./" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@given(path=PATHS, root=PATHS)
def test_a_path_is_written_as_relative_to_writes_it_and_read_back_the_same(
    path: Path, root: Path
) -> None:
    written = encode_path(path, root)
    assert written == by_parts(path, root)
    assert decode_path(written, root) == path


def test_the_files_of_a_folder_are_written_from_it() -> None:
    root = Path("/shows/otc")
    assert encode_path(root / "season-1" / "01.mp3", root) == "./season-1/01.mp3"
    assert encode_path(Path("/shows/otc-2/01.mp3"), root) == "/shows/otc-2/01.mp3"
    assert encode_path(root, root) == "./."
    assert encode_path(Path("/shows/otc/a"), Path("/")) == "./shows/otc/a"
    assert PurePosixPath(encode_path(Path("/x/y"), Path("/x/"))) == PurePosixPath("./y")
