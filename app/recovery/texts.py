"""The words of recovery mail in each language we write (the storefront's seven), with Babel formats.

Placeholders are filled with `str.format` from our own data (dates, amounts, the warehouse's public city,
the store's name); the templates escape everything on output, and `_fill` never formats a value twice,
so a brace in a store's name stays text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_percent

from app.supply.sentences import _window_text, pick_locale

KEYS = ("subject_reminder", "subject_supply", "subject_offer", "subject_later", "greeting", "supply", "saving",
        "reminder", "promise", "preorder", "split", "trial", "tier_perk", "discount", "restock", "back_in_stock",
        "last_reminder", "button", "unsubscribe", "footer", "items")


def _t(*values: str) -> dict[str, str]:
    return dict(zip(KEYS, values, strict=True))


TEXTS: dict[str, dict[str, str]] = {
    "en": _t(
        "You left something at {store}", "Good news: your order from {store} can arrive sooner",
        "Something for your cart at {store}", "Your cart at {store} is still waiting", "Hello,",
        "Now ships from our {city} warehouse: arrives {window} instead of {default}.",
        "That is {amount} less shipping.",
        "Your items are still in your cart.", "Order now and it arrives {window} from our {city} warehouse.",
        "Pre-order with a priority production slot: arrives {window}.",
        "We can send what is in stock now and the rest as soon as it is ready: all arrives by {window}.",
        "{trial}", "As a {tier} member, your member perks apply to this order.",
        "Your personal code {code} gives {percent} off until {date}; it is applied when you return.",
        "Back in stock soon: order now and it arrives {window}.", "Good news: your items are back in stock.",
        "A last reminder: your cart will not be kept much longer.", "Return to your cart",
        "Unsubscribe from these reminders", "You receive this because you started a checkout at {store}.",
        "Your cart"),
    "fr": _t(
        "Vous avez oublié quelque chose chez {store}", "Bonne nouvelle : votre commande {store} peut arriver plus tôt",
        "Une attention pour votre panier chez {store}", "Votre panier chez {store} vous attend", "Bonjour,",
        "Expédié désormais depuis notre entrepôt de {city} : livraison {window} au lieu du {default}.",
        "Soit {amount} de moins pour la livraison.", "Vos articles sont toujours dans votre panier.",
        "Commandez maintenant : livraison {window} depuis notre entrepôt de {city}.",
        "Précommandez avec un créneau de production prioritaire : livraison {window}.",
        "Nous pouvons envoyer dès maintenant ce qui est en stock, et le reste dès qu'il est prêt : "
        "tout arrive d'ici {window}.",
        "{trial}", "En tant que membre {tier}, vos avantages s'appliquent à cette commande.",
        "Votre code personnel {code} offre {percent} de réduction jusqu'au {date} ; il s'applique à votre retour.",
        "Bientôt de retour en stock : commandez maintenant, livraison {window}.",
        "Bonne nouvelle : vos articles sont de retour en stock.",
        "Dernier rappel : votre panier ne sera plus conservé très longtemps.", "Retourner à mon panier",
        "Se désabonner de ces rappels", "Vous recevez ce message car vous avez commencé une commande chez {store}.",
        "Votre panier"),
    "de": _t(
        "Sie haben etwas bei {store} vergessen", "Gute Nachricht: Ihre Bestellung bei {store} kann früher ankommen",
        "Etwas für Ihren Warenkorb bei {store}", "Ihr Warenkorb bei {store} wartet noch", "Hallo,",
        "Jetzt Versand aus unserem Lager in {city}: Lieferung {window} statt am {default}.",
        "Das sind {amount} weniger Versandkosten.", "Ihre Artikel liegen noch in Ihrem Warenkorb.",
        "Jetzt bestellen: Lieferung {window} aus unserem Lager in {city}.",
        "Vorbestellen mit bevorzugtem Produktionsplatz: Lieferung {window}.",
        "Wir senden sofort, was auf Lager ist, und den Rest, sobald er bereit ist: alles kommt bis {window}.",
        "{trial}", "Als {tier}-Mitglied gelten Ihre Mitgliedervorteile für diese Bestellung.",
        "Ihr persönlicher Code {code} gibt {percent} Rabatt bis {date}; er wird bei Ihrer Rückkehr angewendet.",
        "Bald wieder auf Lager: jetzt bestellen, Lieferung {window}.", "Gute Nachricht: Ihre Artikel sind wieder da.",
        "Letzte Erinnerung: Ihr Warenkorb wird nicht mehr lange aufbewahrt.", "Zurück zum Warenkorb",
        "Diese Erinnerungen abbestellen", "Sie erhalten diese Nachricht, weil Sie bei {store} eine Bestellung "
        "begonnen haben.", "Ihr Warenkorb"),
    "es": _t(
        "Olvidaste algo en {store}", "Buenas noticias: tu pedido de {store} puede llegar antes",
        "Algo para tu carrito en {store}", "Tu carrito en {store} te espera", "Hola:",
        "Ahora se envía desde nuestro almacén de {city}: llega {window} en lugar del {default}.",
        "Son {amount} menos de envío.", "Tus artículos siguen en tu carrito.",
        "Pide ahora y llega {window} desde nuestro almacén de {city}.",
        "Reserva con un turno de producción prioritario: llega {window}.",
        "Podemos enviar ahora lo que está en stock y el resto en cuanto esté listo: todo llega antes de {window}.",
        "{trial}", "Como miembro {tier}, tus ventajas se aplican a este pedido.",
        "Tu código personal {code} te da un {percent} de descuento hasta el {date}; se aplica al volver.",
        "Pronto de nuevo en stock: pide ahora y llega {window}.", "Buenas noticias: tus artículos vuelven a estar "
        "en stock.", "Último recordatorio: tu carrito no se guardará mucho más tiempo.", "Volver a mi carrito",
        "Darse de baja de estos recordatorios", "Recibes este mensaje porque iniciaste un pedido en {store}.",
        "Tu carrito"),
    "it": _t(
        "Hai dimenticato qualcosa su {store}", "Buone notizie: il tuo ordine su {store} può arrivare prima",
        "Qualcosa per il tuo carrello su {store}", "Il tuo carrello su {store} ti aspetta", "Ciao,",
        "Ora spedito dal nostro magazzino di {city}: arriva {window} invece del {default}.",
        "Sono {amount} in meno di spedizione.", "I tuoi articoli sono ancora nel carrello.",
        "Ordina ora e arriva {window} dal nostro magazzino di {city}.",
        "Preordina con uno slot di produzione prioritario: arriva {window}.",
        "Possiamo spedire subito ciò che è disponibile e il resto appena pronto: tutto arriva entro {window}.",
        "{trial}", "Come membro {tier}, i tuoi vantaggi valgono per questo ordine.",
        "Il tuo codice personale {code} ti dà il {percent} di sconto fino al {date}; si applica al tuo ritorno.",
        "Presto di nuovo disponibile: ordina ora e arriva {window}.", "Buone notizie: i tuoi articoli sono di "
        "nuovo disponibili.", "Ultimo promemoria: il tuo carrello non sarà conservato ancora a lungo.",
        "Torna al carrello", "Annulla l'iscrizione a questi promemoria",
        "Ricevi questo messaggio perché hai iniziato un ordine su {store}.", "Il tuo carrello"),
    "ja": _t(
        "{store}でお買い忘れはありませんか", "お知らせ：{store}のご注文がより早く届きます",
        "{store}のカートへの特典", "{store}のカートがお待ちしています", "こんにちは。",
        "{city}の倉庫から発送できるようになりました：{default}ではなく{window}にお届けします。",
        "送料が{amount}お安くなります。", "商品はまだカートに入っています。",
        "今ご注文いただくと、{city}の倉庫から{window}にお届けします。",
        "優先生産枠で予約注文：{window}にお届けします。",
        "在庫のある商品は今すぐ発送し、残りは準備でき次第お送りします：{window}までにすべてお届けします。",
        "{trial}", "{tier}会員の特典がこのご注文に適用されます。",
        "お客様専用コード{code}で{date}まで{percent}オフ。カートに戻ると適用されます。",
        "まもなく入荷：今ご注文いただくと{window}にお届けします。", "お知らせ：商品が再入荷しました。",
        "最後のお知らせ：カートの保存期間がまもなく終了します。", "カートに戻る", "このお知らせの配信を停止する",
        "{store}でご注文手続きを開始されたため、このメールをお送りしています。", "カートの中身"),
    "zh-CN": _t(
        "您在{store}有商品未结账", "好消息：您在{store}的订单可以更快送达", "{store}为您的购物车准备了惊喜",
        "您在{store}的购物车仍在等您", "您好：",
        "现由{city}仓库发货：预计{window}送达，而不是{default}。", "运费便宜{amount}。", "您的商品仍在购物车中。",
        "现在下单，由{city}仓库发货，预计{window}送达。", "优先生产排期预订：预计{window}送达。",
        "有货商品立即发出，其余商品备好后尽快发出：全部在{window}前送达。",
        "{trial}", "作为{tier}会员，您的会员权益适用于本订单。",
        "您的专属优惠码{code}在{date}前可享{percent}折扣，返回购物车时自动使用。",
        "即将到货：现在下单，预计{window}送达。", "好消息：您的商品已重新到货。", "最后提醒：您的购物车即将过期。",
        "返回购物车", "退订此类提醒", "您收到此邮件是因为您在{store}开始了结账。", "您的购物车"),
}


def language(raw_locale: str | None, shop_locale: str | None = None) -> tuple[str, object]:
    """Our language and Babel locale for the checkout's `customer_locale`, else the shop's, else English."""
    lang, locale = pick_locale(raw_locale)
    if lang == "en" and not (raw_locale or "").lower().startswith("en") and shop_locale:
        return pick_locale(shop_locale)
    return lang, locale


def _fill(template: str, **values: object) -> str:
    return template.format(**{k: str(v) for k, v in values.items()})


def window(earliest: date, latest: date, locale) -> str:
    return _window_text(earliest, latest, locale)


def day(value: date, locale) -> str:
    return format_skeleton("MMMEd", value, locale=locale)


def money(amount: Decimal, currency: str, locale) -> str:
    return format_currency(amount, currency, locale=locale)


def percent(value: int, locale) -> str:
    return format_percent(value / 100, locale=locale)


def text(lang: str, key: str, **values: object) -> str:
    return _fill(TEXTS[lang][key], **values)
