"""``kickgan page``: an HTML page to listen to folders of kicks in a browser, from disk."""

from __future__ import annotations

from pathlib import Path

from kickgan.cli.common import make_parser

EXAMPLES = """
  kickgan page kicks/ --out kicks.html
  kickgan page out/demo/kicks out/demo/kit --out out/demo/index.html --title "my first kicks"
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Write one HTML page with a player for every WAV in each folder (the experiment report's\n"
        "gallery style), the model that made them (from their sidecars) and links to the sampler\n"
        "kits there. It opens from disk with no server: every path in it is relative to the page.",
        EXAMPLES,
    )
    parser.add_argument("folders", nargs="+", metavar="DIR", help="folders of kicks (searched recursively)")
    parser.add_argument("--out", required=True, metavar="PAGE.html", help="the page to write")
    parser.add_argument("--title", default="kickgan kicks", help="the page's title")
    parser.add_argument("--force", action="store_true", help="overwrite an existing page")
    args = parser.parse_args(argv)
    from kickgan.producer.export import check_free
    from kickgan.producer.page import write_page

    check_free([Path(args.out)], args.force)
    print(f"wrote {write_page(args.folders, args.out, args.title)}")
    return 0
