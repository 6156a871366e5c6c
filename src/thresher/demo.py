"""``thresher demo``: a small synthetic crawl that exercises every stage, and a run on it.

The crawl is generated from a fixed seed, so every demo run is the same: a WARC file of
HTML pages (articles with navigation, cookie banners, share buttons and footers; exact
and near duplicates; short and repetitive pages; German and French pages; a PDF; a
truncated last record) and a JSONL file of text documents (including a page stitched
from several sources, a page whose non-ASCII characters were deleted, mojibake,
personal data, a malformed JSON line and a line of invalid UTF-8).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

TOPICS: dict[str, list[str]] = {
    "bread": [
        "A slow fermentation gives the dough time to develop flavour that a quick rise cannot match.",
        "Most bakers weigh their flour and water, because a cup of flour can vary by twenty grams.",
        "The starter should be fed the evening before, so that it is at its most active in the morning.",
        "When the loaf sounds hollow as you tap the bottom, it is usually baked through.",
        "Steam in the first minutes of baking keeps the crust soft long enough for the loaf to expand.",
        "Whole wheat flour absorbs more water than white flour, so the dough needs a little more hydration.",
        "A cold night in the refrigerator makes the dough easier to shape and deepens its taste.",
        "Salt slows the yeast down, which is why it is often added after the first mixing.",
        "The baker folds the dough every half hour to build strength without heavy kneading.",
        "A heavy pot with a lid traps the moisture of the dough and works much like a small oven.",
        "If the crumb is dense and gummy, the bread was probably cut before it had cooled.",
        "Rye breads ferment differently and are often left to rest for a full day before slicing.",
    ],
    "bicycles": [
        "A chain that is cleaned and oiled every few weeks will last far longer than one left dry.",
        "Tyre pressure matters more than most riders think, since it changes both grip and comfort.",
        "The brakes should be checked before every long ride, especially after a wet week.",
        "Many commuters prefer a steel frame because it absorbs the vibration of rough streets.",
        "When the gears skip under load, the cable has often stretched and needs a small adjustment.",
        "A saddle set too low puts strain on the knees and wastes much of the rider's effort.",
        "Lights on both ends of the bike are required by law in many cities after dark.",
        "Riders who carry a spare tube and a small pump rarely have to walk home.",
        "The bearings in the hubs can be serviced at home with a few simple tools and some grease.",
        "On long climbs it helps to shift early, before the pedals become too hard to turn.",
        "Mudguards keep both the rider and the drivetrain clean through the winter months.",
        "A good lock is worth the money, since a stolen bicycle is rarely found again.",
    ],
    "astronomy": [
        "The planets move against the background stars, which is why early observers called them wanderers.",
        "A small pair of binoculars is enough to see the largest moons of Jupiter on a clear night.",
        "Light from the nearest star beyond the Sun takes more than four years to reach the Earth.",
        "The Moon always shows the same face to us because its rotation is locked to its orbit.",
        "Observers in the city see far fewer stars, since street lights brighten the whole sky.",
        "A telescope should be left outside for half an hour so that its mirror can cool down.",
        "Meteor showers happen when the Earth passes through the dust left behind by a comet.",
        "The rings of Saturn are made of countless pieces of ice, some as small as grains of sand.",
        "Astronomers measure the distance to nearby stars by watching them shift over a year.",
        "The best nights for viewing are often the cold and dry ones, after a front has passed.",
        "A star chart printed in red ink is easy to read without spoiling the eyes' adaptation.",
        "Eclipses of the Sun are rare in any one place, and people travel far to see them.",
    ],
    "gardening": [
        "Tomatoes need at least six hours of direct sunlight each day to produce a good crop.",
        "A layer of mulch keeps the soil moist and stops most weeds from taking hold.",
        "Compost made from kitchen scraps and leaves returns nutrients that the plants have used.",
        "Seedlings grown indoors should be hardened off slowly before they are planted outside.",
        "Watering in the early morning lets the leaves dry before the heat of the day.",
        "Rotating crops each year keeps the pests of one family from building up in the soil.",
        "Beans and peas add nitrogen to the ground, which helps the plants that follow them.",
        "A raised bed warms up earlier in spring and drains better after heavy rain.",
        "Pruning the side shoots of a tomato plant directs its energy into the fruit.",
        "Slugs are most active on damp evenings, when a torch reveals how many there are.",
        "Herbs such as thyme and rosemary prefer poor, dry soil to rich and wet ground.",
        "The first frost date decides when tender plants have to come indoors for the winter.",
    ],
}

GERMAN = [
    "Der Zug nach Hamburg hatte heute Morgen wegen eines Signalfehlers fast eine Stunde Verspätung.",
    "Viele Pendler sind inzwischen auf das Fahrrad umgestiegen, weil es in der Stadt schneller ist.",
    "Die Stadtverwaltung plant, im kommenden Jahr neue Radwege entlang des Flusses zu bauen.",
    "Im Sommer ist der Markt am Samstag besonders voll, und die Händler verkaufen frisches Obst.",
    "Die Bibliothek bleibt während der Renovierung bis zum Ende des Monats geschlossen.",
    "Nach dem langen Winter freuen sich die Kinder auf die ersten warmen Tage im Park.",
]
FRENCH = [
    "Le marché du dimanche attire chaque semaine des habitants de tous les villages voisins.",
    "La boulangerie du quartier ouvre très tôt, et le pain est encore chaud à sept heures.",
    "Les travaux sur le pont devraient se terminer avant la fin de l'été, selon la mairie.",
    "Beaucoup de familles partent en vacances au bord de la mer pendant le mois d'août.",
    "Le musée propose une nouvelle exposition consacrée aux peintres de la région.",
    "Il a plu pendant toute la semaine, mais le soleil est revenu pour le week-end.",
]

NAV = ["Home", "News", "Guides", "Reviews", "About us", "Contact"]
FURNITURE_LINES = [
    "We use cookies to improve your experience. By continuing to browse you accept our cookie policy.",
    "Share this article: Facebook Twitter Email",
    "Subscribe to our newsletter and get the best stories every week.",
    "Read more",
    "Copyright © 2024 Example Media. All rights reserved.",
]


def _article(rng: random.Random, topic: str, n: int) -> list[str]:
    sents = rng.sample(TOPICS[topic], k=min(n, len(TOPICS[topic])))
    paras, cur = [], []
    for s in sents:
        cur.append(s)
        if len(cur) >= rng.randint(2, 3):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


def _html(title: str, paras: list[str], lang: str = "en", furniture: bool = True) -> str:
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    nav = "".join(f'<li><a href="/{n.lower().replace(" ", "-")}">{esc(n)}</a></li>' for n in NAV)
    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>',
             '<meta name="date" content="2024-05-17"></head><body>']
    if furniture:
        parts.append(f'<div class="cookie-banner">{esc(FURNITURE_LINES[0])}</div>')
        parts.append(f'<nav class="main-nav"><ul>{nav}</ul></nav>')
    parts.append(f"<main><article><h1>{esc(title)}</h1>{body}</article></main>")
    if furniture:
        parts.append(f'<aside class="share">{esc(FURNITURE_LINES[1])}</aside>')
        parts.append(f'<div class="newsletter">{esc(FURNITURE_LINES[2])}</div>')
        parts.append(f'<footer class="site-footer"><p>{esc(FURNITURE_LINES[4])}</p></footer>')
    parts.append("</body></html>")
    return "".join(parts)


def _warc_record(headers: dict[str, str], block: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def _gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def _response(url: str, body: bytes, ctype: str, n: int) -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    rid = hashlib.sha1(f"{url}#{n}".encode()).hexdigest()
    headers = {
        "WARC-Type": "response",
        "WARC-Date": "2024-05-17T12:00:00Z",
        "WARC-Record-ID": f"<urn:uuid:{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}>",
        "WARC-Target-URI": url,
        "Content-Type": "application/http; msgtype=response",
    }
    return _gz(_warc_record(headers, http))


def make_crawl(folder: Path, seed: int = 7) -> list[Path]:
    """Write the synthetic crawl under ``folder``; returns the files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    records: list[bytes] = []
    n = 0

    def add(url: str, html: str, ctype: str = "text/html; charset=utf-8") -> None:
        nonlocal n
        n += 1
        records.append(_response(url, html.encode("utf-8"), ctype, n))

    warcinfo = _warc_record({"WARC-Type": "warcinfo", "WARC-Date": "2024-05-17T12:00:00Z",
                             "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000000>",
                             "Content-Type": "application/warc-fields"}, b"software: thresher demo\r\n")
    records.append(_gz(warcinfo))
    topics = sorted(TOPICS)
    articles = []
    for i in range(40):
        topic = topics[i % len(topics)]
        paras = _article(rng, topic, rng.randint(7, 12))
        title = f"{topic.capitalize()} notes, part {i + 1}"
        url = f"https://www.example-{topic}.org/articles/{i + 1}"
        articles.append((url, title, paras))
        add(url, _html(title, paras))
    # exact copies under other URLs (syndication)
    for i in range(0, 8, 2):
        url, title, paras = articles[i]
        add(url.replace("www.", "mirror."), _html(title, paras))
    # near duplicates: the same article with a phrase added (a syndicated copy)
    for i in range(1, 9, 2):
        url, title, paras = articles[i]
        near = list(paras)
        near[0] = near[0].replace(".", ", as our readers often remind us.", 1)
        add(url + "?ref=feed", _html(title, near))
    # short and repetitive pages
    add("https://www.example-shop.com/cart", _html("Cart", ["Your cart is empty."]))
    spam = ["Buy cheap watches online best price buy now."] * 30
    add("https://spam.example.net/watches", _html("Cheap watches", [" ".join(spam)] * 4))
    for i, lines in enumerate((GERMAN, FRENCH)):
        lang = ("de", "fr")[i]
        paras = [" ".join(lines[:3]), " ".join(lines[3:])]
        add(f"https://www.example.{lang}/nachrichten/{i}", _html("Nachrichten" if i == 0 else "Actualités",
                                                              paras * 2, lang))
    # a PDF among the pages
    add("https://www.example-bread.org/recipe.pdf", "%PDF-1.4 binary recipe card", "application/pdf")
    warc = folder / "crawl.warc.gz"
    data = b"".join(records)
    # the crawl was cut short: the last record is truncated mid-page
    last = _response("https://www.example-gardening.org/articles/truncated",
                     _html("Truncated", _article(rng, "gardening", 8)).encode(), "text/html", 999)
    raw_last = gzip.decompress(last)
    data += _gz(raw_last[: len(raw_last) // 2])
    warc.write_bytes(data)

    jsonl = folder / "texts.jsonl.gz"
    lines: list[bytes] = []

    def text_doc(doc_id: str, text: str, url: str) -> None:
        lines.append(json.dumps({"id": doc_id, "text": text, "url": url}, ensure_ascii=False).encode() + b"\n")

    for i in range(30):
        topic = topics[(i + 1) % len(topics)]
        text_doc(f"text-{i:03d}", "\n\n".join(_article(rng, topic, rng.randint(7, 12))),
                 f"https://blog.example-{topic}.com/posts/{i}")
    # a page stitched from many sources, with page titles and calls to action glued in
    salad = [s for t in topics for s in TOPICS[t]]
    rng.shuffle(salad)
    salad.insert(3, "How do I fix a slipping chain? - Bike Forum")
    salad.insert(8, "Get the week's best stories straight to your inbox.")
    salad.insert(12, "Why are my tomatoes splitting? - Garden Answers")
    salad.insert(17, "Credit: Photo Library.")
    text_doc("salad", " ".join(salad), "https://essays.example.com/stitched")
    # non-ASCII characters deleted by a broken pipeline
    damaged = ("The bakers son said thats the best loaf hed ever made. It was the towns oldest bakery, "
               "and its owners recipe had not changed in fifty years. Caf owners from the whole region "
               "came to buy its bread every morning, and the shops queue often reached the corner. "
               "Everyone agreed that the crust was the citys finest, and the baker never shared his secret. "
               "He said the dough was ready when it felt like a sleeping cat. Some of the regulars didnt "
               "believe a word of it, but they kept coming back for more. When the shop closed for a week "
               "in August, the whole street seemed to lose its morning routine.")
    text_doc("deleted-chars", damaged, "https://news.example.com/bakery")
    text_doc("mojibake", "The cafÃ© served crÃ¨me brÃ»lÃ©e and the chef said itâ€™s the house speciality. "
             + " ".join(TOPICS["bread"][:6]), "https://food.example.com/cafe")
    text_doc("pii", "Write to the club secretary at jane.doe@example.org or call +1 415 555 0199 for details. "
             + " ".join(TOPICS["bicycles"][:6]), "https://club.example.com/contact")
    lines.append(b'{"id": "broken-json", "text": "this line was cut in the mid\n')
    lines.append(b'{"id": "bad-utf8", "text": "caf\xe9 au lait"}\n')
    with gzip.GzipFile(jsonl, "wb", mtime=0) as g:
        g.write(b"".join(lines))
    return [warc, jsonl]


def demo_config(data: Path, out: Path) -> dict[str, Any]:
    """The default pipeline over the demo crawl (steps absent from this build are left out)."""
    from thresher.configs import shipped_steps

    cfg: dict[str, Any] = {"steps": shipped_steps("default.yaml")}
    cfg["input"] = {"paths": [str(data / "crawl.warc.gz"), str(data / "texts.jsonl.gz")]}
    cfg["output"] = {"path": str(out), "format": "parquet"}
    return cfg
