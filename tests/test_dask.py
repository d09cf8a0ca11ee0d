"""The Dask extra: a bag of texts and a tree of files restored on a local cluster."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")

import dask  # noqa: E402
import dask.bag as db  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from vnrestore import Options, Restorer  # noqa: E402
from vnrestore.cli import main  # noqa: E402
from vnrestore.dask import Failed, restore_bag, restore_files  # noqa: E402
from vnrestore.legacy import convert  # noqa: E402

TEXTS = [
    "Hom nay troi mua to qua",
    "Toi di hoc bang xe dap",
    "Me nau com cho ca nha",
    "Chung ta can bao ve moi truong",
    "Thanh pho Ho Chi Minh rat dong nguoi",
    "Ban co khoe khong?",
    "Cuoi tuan nay chung minh di cho nhe",
    "Anh ay lam viec o benh vien",
    "Hoc sinh dang on thi tot nghiep",
    "Nha toi o gan bo song",
    "Cay lua dang tro bong",
    "Em be ngu rat ngon",
    "Ong ba toi song o que",
    "Cuoc hop bat dau luc tam gio sang",
    "Gia xang tang them hai nghin dong",
    "Doi tuyen bong da da gianh chien thang",
    "Thu vien mo cua tu thu hai den thu sau",
    "Chi ay thich doc sach lich su",
    "Mua thu Ha Noi rat dep",
    "Cam on ban rat nhieu",
]

FILES = {
    "a.txt": "Chung toi se den tham ban vao ngay mai.\n".encode(),
    "sub/b.txt": "Ngay mai troi se nang.\r\nNhiet do cao nhat ba muoi do.\r\n".encode(),
    "sub/deep/c.txt": "Ban da an com chua?\n".encode(),
    "sub/deep/d.txt": "Con meo nam tren mai nha\n".encode(),
    "sub/bad.txt": b"Xin chao \xff cac ban\n",
}


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _cache():
    """On a worker: the keys of its Restorer cache and the identity of each Restorer."""
    from vnrestore import dask as vd
    return {repr(key): id(restorer) for key, restorer in vd._RESTORERS.items()}


def _forget(key):
    from vnrestore import dask as vd
    vd._RESTORERS.pop(key, None)


def test_restore_bag_matches_local_restorer(client):
    bag = db.from_sequence(TEXTS, npartitions=5)
    result = restore_bag(bag).compute(scheduler=client)
    restorer = Restorer()
    assert result == [restorer.restore(t) for t in TEXTS]
    assert result[0] != TEXTS[0]  # something was restored


def test_restore_files_is_byte_identical_to_the_cli(client, tmp_path: Path):
    indir = tmp_path / "in"
    for name, data in FILES.items():
        path = indir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (indir / "skip.md").write_text("khong phai txt\n", encoding="utf-8")
    out_dask, out_cli = tmp_path / "out-dask", tmp_path / "out-cli"

    report = restore_files([str(indir)], str(out_dask), client=client)
    assert main(["fix", str(indir), "-o", f"{out_cli}/", "--jobs", "1", "-q"]) == 1  # bad.txt fails

    assert sorted(p for p, _ in report) == sorted(str(indir / name) for name in FILES)
    errors = {Path(p).relative_to(indir).as_posix(): e for p, e in report}
    assert "not valid UTF-8 at byte 9" in errors.pop("sub/bad.txt")
    assert all(e is None for e in errors.values())

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    written = files(out_dask)
    assert sorted(written) == sorted(errors)  # no bad.txt, no skip.md, no leftover temp files
    assert written == files(out_cli)
    assert b"\r\n" in written["sub/b.txt"]


def test_each_worker_loads_the_model_once(client):
    restore_bag(db.from_sequence(TEXTS, npartitions=8)).compute(scheduler=client)
    before = client.run(_cache)
    for _ in range(3):
        restore_bag(db.from_sequence(TEXTS, npartitions=8)).compute(scheduler=client)
    after = client.run(_cache)
    assert len(after) == 2
    assert all(len(cache) <= 1 for cache in after.values())
    assert any(after.values())
    for worker, cache in before.items():
        for key, identity in cache.items():
            assert after[worker][key] == identity  # the same Restorer: not loaded again


def test_restore_bag_with_options(client):
    options = Options(style="old")
    bag = db.from_sequence(["Hoa binh", "Thuy dien Hoa Binh"], npartitions=2)
    try:
        result = restore_bag(bag, options=options).compute(scheduler=client)
    finally:  # leave the workers with only the default Restorer, whatever order tests run in
        client.run(_forget, (None, options, ()))
    restorer = Restorer(options=options)
    assert result == [restorer.restore("Hoa binh"), restorer.restore("Thuy dien Hoa Binh")]


def _forget_all_but_default():
    from vnrestore import dask as vd
    for key in [k for k in vd._RESTORERS if k != (None, Options(), ())]:
        del vd._RESTORERS[key]


# "Cộng hoà xã hội" typed in the TCVN3 font and read as Unicode, then a text to restore.
TCVN3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam"


def test_restore_bag_options_and_a_failing_element(client, tmp_path: Path):
    lexicon = tmp_path / "names.txt"
    lexicon.write_text("Thúy\t6\n", encoding="utf-8")
    texts = ["Chi Thuy di cho", 42, TCVN3, None, "Toi di hoc"]
    try:
        result = restore_bag(db.from_sequence(texts, npartitions=2), user_lexicon=str(lexicon),
                             legacy="auto", mode="plain").compute(scheduler=client)
    finally:
        client.run(_forget_all_but_default)
    local = Restorer(options=Options(mode="plain"), user_lexicon=lexicon)
    assert result[0] == local.restore("Chi Thuy di cho") and "Thúy" in result[0]
    assert result[2] == local.restore(convert(TCVN3, "auto")[0]) == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert result[4] == local.restore("Toi di hoc")
    assert result[1] == Failed(42, "TypeError: expected a str, not int")
    assert isinstance(result[3], Failed) and result[3].input is None and not result[3]
    with pytest.raises(TypeError, match="expected a str"):
        restore_bag(db.from_sequence(["a", 1], npartitions=1), on_error="raise").compute(scheduler="sync")
    with pytest.raises(ValueError, match="mode must be one of"):
        restore_bag(db.from_sequence(["a"]), mode="fast")
    with pytest.raises(ValueError, match="legacy must be one of"):
        restore_bag(db.from_sequence(["a"]), legacy="abc")
    with pytest.raises(TypeError, match="user_lexicon must be"):
        restore_bag(db.from_sequence(["a"]), user_lexicon=["Thúy"])


def test_restore_files_with_options_matches_the_cli(client, tmp_path: Path):
    indir = tmp_path / "in"
    indir.mkdir()
    (indir / "a.txt").write_text("Chi Thuy di cho.\n", encoding="utf-8")
    (indir / "b.txt").write_text(TCVN3 + "\n", encoding="utf-8")
    lexicon = tmp_path / "names.txt"
    lexicon.write_text("Thúy\t6\n", encoding="utf-8")
    out_dask, out_cli = tmp_path / "out-dask", tmp_path / "out-cli"
    try:
        report = restore_files([str(indir)], out_dask, client=client, user_lexicon=lexicon, mode="plain",
                               legacy="tcvn3")
    finally:
        client.run(_forget_all_but_default)
    assert sorted(report) == [(str(indir / "a.txt"), None), (str(indir / "b.txt"), None)]
    assert main(["fix", str(indir), "-o", f"{out_cli}/", "--jobs", "1", "-q", "--mode", "plain",
                 "--legacy", "tcvn3", "--user-lexicon", str(lexicon)]) == 0
    for name in ("a.txt", "b.txt"):
        assert (out_dask / name).read_bytes() == (out_cli / name).read_bytes()
    assert "Thúy" in (out_dask / "a.txt").read_text(encoding="utf-8")


def test_restore_files_on_a_local_process_pool(tmp_path: Path):
    # client=None uses Dask's default scheduler; the module's Client would be the
    # default here, so ask for a plain process pool instead.
    source = tmp_path / "one.txt"
    source.write_bytes("Xin chao cac ban\n".encode())
    with dask.config.set(scheduler="processes", num_workers=1):
        report = restore_files([str(source)], str(tmp_path / "out"), options=Options(), errors="replace")
    assert report == [(str(source), None)]
    assert (tmp_path / "out" / "one.txt").read_bytes() == Restorer().restore("Xin chao cac ban\n").encode()


def test_importing_vnrestore_does_not_import_dask():
    code = "import sys, vnrestore; vnrestore.restore('a'); print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
