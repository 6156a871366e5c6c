"""Multilingual CMS, theme and plugin furniture (the third batch of furniture.json).

For each family of phrases: furniture lines in several languages that must be removed,
and content sentences using the same words that must be kept. The sentences are
written for these tests (none is copied from the trafilatura set or the corpus).
"""

from __future__ import annotations

import pytest

from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.clean.rules import classify

# family -> (furniture, content with the same words)
FAMILIES: dict[str, tuple[list[str], list[str]]] = {
    "email_not_published": (
        [
            "Deine E-Mail-Adresse wird nicht veröffentlicht.",
            "Ihre E-Mail Adresse wird nicht veröffentlicht.",
            "Tu dirección de correo electrónico no será publicada.",
            "Votre adresse e-mail ne sera pas publiée.",
            "Il tuo indirizzo email non sarà pubblicato.",
            "O seu endereço de e-mail não será publicado.",
            "Je e-mailadres wordt niet gepubliceerd.",
            "Twój adres e-mail nie zostanie opublikowany.",
        ],
        [
            "Ihre E-Mail-Adresse wird nicht veröffentlicht, versprach der Anbieter, doch im März stand sie im Netz.",
            "Die Adresse des Zeugen wird nicht veröffentlicht, teilte das Gericht am Montag mit.",
            "Su correo no será publicado por el periódico, aseguró la directora en la entrevista.",
        ],
    ),
    "required_fields": (
        [
            "Erforderliche Felder sind mit * markiert.",
            "Pflichtfelder sind mit * gekennzeichnet.",
            "Los campos obligatorios están marcados con *",
            "Les champs obligatoires sont indiqués avec *",
            "I campi obbligatori sono contrassegnati *",
        ],
        [
            "Erforderliche Unterlagen sind bis Freitag beim Bürgeramt einzureichen.",
            "Die Felder sind im Frühjahr mit Raps bestellt worden.",
        ],
    ),
    "logged_in_to_comment": (
        [
            "Du musst angemeldet sein, um einen Kommentar abzugeben.",
            "Sie müssen eingeloggt sein, um Kommentare zu schreiben.",
            "Debes iniciar sesión para publicar un comentario.",
            "Vous devez être connecté pour publier un commentaire.",
            "Devi essere connesso per inviare un commento.",
        ],
        [
            "Wer im Bundestag angemeldet sein will, muss einen Ausweis vorlegen.",
            "El ministro no quiso hacer ningún comentario sobre la reunión.",
        ],
    ),
    "comment_headings": (
        [
            "Hinterlasse eine Antwort",
            "Hinterlassen Sie eine Antwort",
            "Kommentar absenden",
            "Kommentieren Sie hier",
            "Diskutieren Sie mit",
            "3 Gedanken zu „Wandern im Harz“",
            "Ein Kommentar zu “Unser neues Gartenhaus”",
            "12 thoughts on “How to bake rye bread”",
            "Bisherige Kommentare",
            "Deja una respuesta",
            "Laisser un commentaire",
            "Lascia un commento",
            "Deixe uma resposta",
            "Geef een reactie",
            "Annuler la réponse",
            "Comentar este artículo",
            "Einen Missbrauch melden",
        ],
        [
            "Eine Antwort auf „Warum?“ gibt es in dem Buch nicht.",
            "Drei Gedanken zu „Faust“ möchte ich hier kurz festhalten, bevor wir weiterlesen.",
            "Deja una respuesta clara a la pregunta del examen y luego sigue con la siguiente.",
            "Kommentieren wollte der Minister die Zahlen am Abend nicht.",
        ],
    ),
    "comments_closed": (
        [
            "Die Kommentarfunktion ist geschlossen.",
            "Die Kommentarfunktion wird 14 Tage nach Veröffentlichung des Beitrags geschlossen.",
            "Kommentare sind geschlossen.",
            "Les commentaires sont fermés.",
            "Comments are closed.",
        ],
        [
            "Die Kommentarfunktion wurde bei der Zeitung 2015 wegen vieler Beleidigungen geschlossen.",
            "Kommentare sind geschlossen worden, nachdem die Debatte eskaliert war.",
        ],
    ),
    "akismet_and_comment_privacy": (
        [
            "Diese Website verwendet Akismet, um Spam zu reduzieren.",
            "Erfahre mehr darüber, wie deine Kommentardaten verarbeitet werden.",
            "This site uses Akismet to reduce spam.",
            "Ce site utilise Akismet pour réduire les indésirables.",
            "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser speichern, bis ich wieder kommentiere.",
            "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.",
            "Benachrichtige mich über nachfolgende Kommentare via E-Mail.",
            "Zeilenumbrüche und Absätze werden automatisch erzeugt.",
        ],
        [
            "Das Plugin Akismet wurde 2005 veröffentlicht und filtert seither Spam aus Blogkommentaren.",
            "Der Browser kann Passwörter speichern, wenn man das in den Einstellungen erlaubt.",
        ],
    ),
    "likes_and_sharing": (
        [
            "Gefällt mir:",
            "Gefällt mir Lade …",
            "Sei der Erste, dem dies gefällt.",
            "Me gusta Cargando",
            "J'aime chargement…",
            "Me gusta Cargando...",
            "Jetzt teilen!",
            "Diese Seite teilen",
            "Sharen mit:",
            "Auf Facebook teilen",
            "Link kopieren",
            "Klick, um auf Facebook zu teilen (Wird in neuem Fenster geöffnet)",
            "Cliquez pour partager sur Twitter(ouvre dans une nouvelle fenêtre)",
            "Partager sur Facebook",
            "Compartir en Twitter",
            "Síguenos en Instagram",
            "Folge uns auf Instagram",
            "Folgt uns!",
            "Flattr this!",
        ],
        [
            "Gefällt mir sehr gut, das neue Album der Band.",
            "Wir teilen die Kosten für das Essen in der Gruppe immer gerecht auf.",
            "Compartir es vivir, decía mi abuela cada domingo.",
            "Folgen Sie uns zum Hafen hinunter, dort wartet das Boot auf die Gäste.",
            "Das Fenster wird im Winter nur kurz geöffnet, damit die Wärme bleibt.",
        ],
    ),
    "newsletter_and_signup": (
        [
            "Bleiben Sie auf dem Laufenden",
            "Immer informiert bleiben!",
            "Verpasse keine News mehr!",
            "Nichts mehr verpassen!",
            "Gib deine E-Mail-Adresse ein, um diesem Blog zu folgen.",
            "Abonniere unseren Newsletter und erhalte jede Woche neue Rezepte.",
            "Melde dich jetzt an!",
            "Greator Newsletter",
            "Inscrivez-vous à notre newsletter",
            "Suscríbete a nuestro boletín",
            "Um neue Beiträge per E-Mail zu erhalten, hier die E-Mail-Adresse eingeben.",
        ],
        [
            "Immer informiert zu sein ist anstrengend, sagt die Psychologin.",
            "Wer nichts verpassen will, sollte am Samstag früh zum Markt kommen.",
            "Der Newsletter der Behörde wurde im Jahr 2010 eingestellt.",
        ],
    ),
    "donations_and_ratings": (
        [
            "Jetzt spenden!",
            "Mitglied werden",
            "Unterstütze RosaBlog!",
            "Jede kleine Spende hilft uns.",
            "Faire un don",
            "Hazte socio",
            "Wie bewerten Sie diesen Artikel?",
            "Rezept bewerten",
            "(Noch keine Bewertungen)",
            "Wie hat Ihnen dieser Artikel gefallen?",
            "Rate this recipe:",
        ],
        [
            "Die Firma will jedes Jahr einen Teil ihres Gewinns spenden.",
            "Wie bewerten Ökonomen die neuen Zahlen zur Inflation?",
        ],
    ),
    "cookies_and_consent": (
        [
            "Diese Website verwendet Cookies, um die Nutzerfreundlichkeit zu verbessern.",
            "Um unsere Webseite für Sie optimal zu gestalten, verwenden wir Cookies.",
            "Durch die weitere Nutzung der Seite stimmen Sie der Verwendung von Cookies zu.",
            "Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site.",
            "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
            "Questo sito utilizza i cookie per migliorare la tua esperienza.",
            "Deze website maakt gebruik van cookies.",
            "Używamy plików cookies, by ułatwić korzystanie z serwisu.",
            "Weitere Informationen finden Sie in unserer Datenschutzerklärung.",
            "Sie können Ihre Einwilligung jederzeit widerrufen.",
            "Empfohlener redaktioneller Inhalt",
        ],
        [
            "Die Kekse, die man in Amerika Cookies nennt, backt meine Tante jedes Jahr zu Weihnachten.",
            "Die Datenschutzerklärung eines Vereins muss nach der DSGVO bestimmte Angaben enthalten.",
        ],
    ),
    "legal_and_credits_of_the_site": (
        [
            "Tutti i diritti riservati",
            "Todos los derechos reservados 2021",
            "Alle rechten voorbehouden.",
            "Vervielfältigung nur mit Genehmigung.",
            "Nachdruck und Weiterverbreitung, auch auszugsweise, nur mit Genehmigung.",
            "Impressum & Datenschutz",
            "Allgemeine Geschäftsbedingungen",
            "Conditions générales de vente",
            "Haftung für Links",
            "Stolz präsentiert von WordPress",
            "Fièrement propulsé par WordPress",
            "Powered by",
            "Thème : Twenty Twelve par WordPress",
            "Über uns | Impressum | Datenschutz | Kontakt",
            "Allgemeine Nutzungsbedingungen | Datenschutzrichtlinie | Impressum/Offenlegung | Werben auf beispiel.at",
            "Accueil · Nous soutenir · Mentions légales · Conditions d'utilisation",
        ],
        [
            "Nachdruck war damals nur mit Genehmigung der Zensurbehörde erlaubt.",
            "Die Haftung für Schäden an Mietsachen regelt das Bürgerliche Gesetzbuch.",
            "Powered by steam, the first locomotives were slow and loud.",
            "Das Impressum muss nach § 5 TMG leicht erkennbar und unmittelbar erreichbar sein.",
        ],
    ),
    "photo_credits": (
        [
            "Beitragsbild: Anna Berger",
            "Titelbild",
            "Crédits photos : Agence Sud",
            "Fuente: Ministerio de Salud",
            "Źródło: Archiwum",
            "Die Kirche am Markt (Foto: Stadtarchiv)",
        ],
        [
            "Das Titelbild der ersten Ausgabe zeigte einen Leuchtturm an der Nordsee.",
            "Das Foto zeigt die Kirche am Markt im Winter 1956.",
        ],
    ),
    "bylines_and_reading_time": (
        [
            "Veröffentlicht von Anna Berger",
            "Veröffentlicht am",
            "Geschrieben von Max Muster",
            "Publié par Jean Dupont",
            "Publicado por Ana García",
            "Scritto da Marco Rossi",
            "Lesezeit: 4 Minuten",
            "5 Min. Lesezeit",
            "Tiempo de lectura: 3 minutos",
            "Über den Autor",
            "À propos de l'auteur",
            "Von:",
        ],
        [
            "Veröffentlicht wurde der Roman erst nach dem Tod des Autors.",
            "Geschrieben von der Stadt an alle Haushalte, kam der Brief erst im Mai an.",
            "Publicado en 1605, el Quijote cambió la novela europea.",
            # a dateline alone is kept: the must-keep text of news pages often holds it
            "Veröffentlicht am 02.03.2020",
            "Publié le 29/10/2012",
        ],
    ),
    "read_more": (
        [
            "Weiterlesen",
            "Weiterlesen...",
            "Weiterlesen …",
            "Jetzt weiterlesen",
            "Erfahre mehr",
            "Mehr zum Thema",
            "Mehr Informationen",
            "Lade weitere Inhalte",
            "Alle Artikel anzeigen",
            "Zum Artikel",
            "Lesen Sie auch",
            "Lire la suite",
            "À lire aussi :",
            "Seguir leyendo",
            "Leer más",
            "Leggi anche",
            "Czytaj więcej",
            "Saiba mais",
        ],
        [
            "Mehr Informationen gibt es dazu von der Behörde nicht.",
            "Alle Kommentare wurden am Abend gelöscht.",
            "Ver todos los partidos del Mundial en directo cuesta dinero.",
            "Lesen lernen die Kinder in der ersten Klasse.",
        ],
    ),
    "related_headings": (
        [
            "Ähnliche Beiträge",
            "Die meistgelesenen Artikel",
            "Weitere aktuelle Themen aus der Arbeitswelt",
            "Das könnte dich auch interessieren",
            "Diese Artikel könnten Sie auch interessieren:",
            "Meistgelesen",
            "Auch interessant...",
            "Viel gelesen in Politik",
            "Für dich empfohlen",
            "Kommende Termine",
            "Articles similaires",
            "Dans la même rubrique",
            "Te puede interesar",
            "Otras noticias",
            "Articoli correlati",
            "Zobacz także",
        ],
        [
            "Weitere Artikel des Grundgesetzes regeln die Zuständigkeit der Länder.",
            "Viel gelesen wird in Deutschland nicht mehr.",
            "Auch interessant ist die Frage nach dem Preis.",
            "Te puede interesar saber que el museo abre los lunes.",
        ],
    ),
    "navigation": (
        [
            "Vorheriger Beitrag",
            "Nächster Artikel »",
            "Beitragsnavigation",
            "Article précédent",
            "Entrada siguiente",
            "Articolo successivo",
            "Nach oben",
            "Zurück zur Startseite",
            "Zurück",
            "Direkt zum Inhalt",
            "Aller au contenu",
            "Ir al contenido",
            "Menü schließen",
            "Hauptmenü",
            "Suchen",
            "Warenkorb",
            "Über uns",
            "Schlagworte",
            "Kategorien:",
            "Verschlagwortet mit Urlaub, Berge",
            "Abgelegt unter Allgemein",
            "- Anzeige -",
            "- Anzeige-",
            "Suivant»",
            "Reklama",
            "Sie sind nicht angemeldet.",
            "Deutsch | English",
        ],
        [
            "Über uns kreisten die Geier, als wir den Gipfel erreichten.",
            "Zurück zur Natur wollte der Dichter, doch die Stadt hielt ihn fest.",
            "Markiert mit Kreide waren die Türen der Häuser.",
            "Nächste Woche beginnt die Ernte in den Weinbergen.",
            # one word that heads content as often as a menu: kept
            "Deutsch",
            "Themen",
            "Inhalt",
            "Inhaltsverzeichnis",
            "Weitere Informationen rund um den Antrag",
        ],
    ),
    "forms_and_embeds": (
        [
            "Um das Rezept kommentieren zu können, musst du eingeloggt sein.",
            "Wenn Sie diesen Beitrag kommentieren möchten, füllen Sie bitte die folgenden Felder aus!",
            "Bitte halten Sie sich an unsere Netiquette.",
            "Email addresses will not be published.",
            "Klicken Sie auf den Button, um den Inhalt von www.beispiel-karte.de zu laden.",
            "Mit dem Laden des Videos akzeptieren Sie die Datenschutzerklärung von YouTube.",
            "Die neuesten Tipps jede Woche direkt in dein Postfach!",
            "Download our free app for iOS and Android.",
            "Dieser Beitrag enthält Werbung für eine Kaffeerösterei.",
            "Next: Ten more tips for your garden",
            "Wählen Sie Ihr Abo und lesen Sie weiter:",
        ],
        [
            "Die Felder am Dorfrand werden im Herbst umgepflügt.",
            "Mit dem Laden der Batterie sollte man warten, bis sie abgekühlt ist.",
            "Die Datenschutzerklärung von Firmen ist oft schwer zu lesen.",
            "Next, preheat the oven and grease the tin.",
        ],
    ),
    "blogger_drupal_disqus_consent": (
        [
            "Seite 2 von 5",
            "Sie sind hier: Startseite",
            "Suchbegriff eingeben",
            "Älterer Post",
            "Gesponsert",
            "Bitte aktivieren Sie JavaScript, um die Kommentare zu sehen.",
            "* Pflichtfelder",
            "Name *",
            "comments powered by Disqus",
            "Kommentar veröffentlichen",
            "Anmelden oder registrieren, um Kommentare zu schreiben",
            "Zitieren | Antworten | Melden",
            "Alle akzeptieren",
            "Nur notwendige Cookies verwenden",
            "Tout refuser",
            "Ich habe die Datenschutzerklärung gelesen und akzeptiere sie.",
            "Video abspielen",
            "Teilen auf WhatsApp",
            "Seite drucken",
            "In Facebook freigeben",
            "Podcast abonnieren",
            "Tipps der Redaktion",
            "Leser interessierten sich auch für",
            "Vous aimerez aussi",
            "Las más leídas",
            "Verwandt",
        ],
        [
            "Seite 2 von 5 des Berichts zeigt die Zahlen für das Jahr 2019.",
            "Sie sind hier, weil Sie mehr über die Geschichte der Stadt wissen wollen.",
            "Die Zeitung kann man auch online abonnieren, sagte der Verleger.",
            "Leser interessieren sich vor allem für lokale Nachrichten, zeigt die Studie.",
        ],
    ),
    "paywalls_players_and_theme_labels": (
        [
            "Dieser Artikel ist nur für Abonnenten verfügbar.",
            "Jetzt Abo sichern",
            "Jetzt 30 Tage kostenlos testen!",
            "Sie sind bereits Abonnent?",
            "Déjà abonné ? Se connecter",
            "Il vous reste 80% de cet article à lire.",
            "Video verfügbar bis 31.12.2022",
            "Bildergalerie",
            "Reader Interactions",
            "Primary Sidebar",
            "Skip to primary navigation",
            "Search for:",
            "Más noticias",
            "Deel dit artikel",
            "Cancel reply",
            "Mail (will not be published) (required)",
            "Dodaj komentarz",
        ],
        [
            "Jetzt testen die Ingenieure den neuen Motor im Windkanal.",
            "Bereits Abonnenten der ersten Stunde bekamen das Heft per Post.",
            "Skip to the next chapter if you already know the basics of sourdough.",
        ],
    ),
    "filing_line": (
        [
            "Dieser Eintrag wurde veröffentlicht in Allgemein und verschlagwortet mit Reisen von Anna.",
            "Dieser Beitrag wurde unter Allgemein abgelegt und mit Garten verschlagwortet.",
            "Setze ein Lesezeichen auf den Permalink.",
            "Bookmark the permalink.",
            "Esta entrada fue publicada en Noticias.",
        ],
        [
            "Der Artikel wurde in der Zeitschrift Nature veröffentlicht und löste eine Debatte aus.",
        ],
    ),
    "affiliate_and_ads": (
        [
            "Für Links auf dieser Seite erhält Technikblog ggf. eine Provision vom Händler.",
            "Wenn du über diese Links einkaufst, erhalten wir eine kleine Provision.",
            "Dieser Beitrag enthält Affiliate-Links.",
            "Advertising Disclosure",
        ],
        [
            "Der Makler erhält beim Verkauf der Wohnung eine Provision von drei Prozent.",
        ],
    ),
}

FURNITURE = [(family, text) for family, (drop, _) in FAMILIES.items() for text in drop]
CONTENT = [(family, text) for family, (_, keep) in FAMILIES.items() for text in keep]


@pytest.mark.parametrize(("family", "text"), FURNITURE, ids=[f"{f}:{t[:30]}" for f, t in FURNITURE])
def test_furniture_line_is_recognised(family: str, text: str) -> None:
    assert classify(text) is not None, (family, text)


@pytest.mark.parametrize(("family", "text"), CONTENT, ids=[f"{f}:{t[:30]}" for f, t in CONTENT])
def test_content_with_the_same_words_is_kept(family: str, text: str) -> None:
    assert classify(text) is None, (family, text, classify(text))


# list items as resiliparse prints them: the whole-unit patterns allow the bullet
BULLETED = ["• Impressum", "• Conditions générales de vente", "• Blogroll", "• Mitglied werden", "• Ähnliche Beiträge", "• One Response to “A day at the lake”"]
# older prefix patterns do not: a content list item starting with their word stays
BULLETED_CONTENT = [
    "• Report of the commission to the minister, 1848",
    "• Log in to the console and open the settings of the project",
]


@pytest.mark.parametrize("text", BULLETED)
def test_bulleted_furniture_item_is_recognised(text: str) -> None:
    assert classify(text) is not None, text
    assert classify(text) == classify(text[2:])


@pytest.mark.parametrize("text", BULLETED_CONTENT)
def test_bulleted_content_item_is_kept(text: str) -> None:
    assert classify(text) is None, text


def _clean(text: str) -> Document:
    doc = Document("t", text)
    CleanFurniture()([doc])
    return doc


def test_german_blog_page_loses_its_furniture_and_keeps_its_text() -> None:
    """A blog page as a WordPress theme prints it: the step (compiled gate or Python,
    as THRESHER_PURE_PYTHON says) removes the theme's lines, line by line and inside
    a paragraph, and keeps every sentence of the post."""
    post = [
        "Am Samstag sind wir früh aufgebrochen, um den Gipfel vor dem Gewitter zu erreichen.",
        "Der Weg führt zuerst durch einen dichten Fichtenwald und dann über eine steile Wiese.",
        "Oben gab es Kaiserschmarrn, und der Wirt erzählte von den Wintern seiner Kindheit.",
    ]
    furniture = [
        "Direkt zum Inhalt",
        "Veröffentlicht von Anna",
        "Gefällt mir:",
        "Ähnliche Beiträge",
        "Hinterlasse eine Antwort",
        "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert.",
        "Diese Website verwendet Akismet, um Spam zu reduzieren. Erfahre mehr darüber, wie deine Kommentardaten verarbeitet werden.",
        "Vorheriger Beitrag",
        "Stolz präsentiert von WordPress",
    ]
    text = "\n".join(furniture[:3] + post + furniture[3:])
    doc = _clean(text)
    for line in post:
        assert line in doc.text
    for line in furniture:
        for sentence in line.split(". "):
            assert sentence.rstrip(".") not in doc.text, sentence


def test_comment_notice_inside_a_paragraph_is_removed_and_the_paragraph_kept() -> None:
    """A flattened page: the comment-form sentences sit in a long paragraph; only they go."""
    content = (
        "Die Wanderung dauerte sechs Stunden und war anstrengender als gedacht, aber die Aussicht "
        "vom Grat entschädigte uns für jeden Meter."
    )
    text = content + " Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert."
    doc = _clean(text)
    assert doc.text.strip() == content
