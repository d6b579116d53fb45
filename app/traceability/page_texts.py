"""The public passport page's words in the storefront languages (the same seven as the blocks and mail).

Placeholders are filled by the template after escaping, so merchant text never passes through a format
string. The language comes from the storefront (`locale`), through the same choice as the promise.
"""

from __future__ import annotations

KEYS = ("title", "lot", "verified", "not_verified", "timeline", "by", "lot_short", "corrects", "nothing",
        "places", "certificates", "footprint", "production", "delivery", "not_recorded", "not_known", "total",
        "check", "qr_alt", "download_json", "jwks", "download_qr", "explain",
        "raw_material", "production_stage", "quality_check", "packing", "shipping")

_EN = ("Product passport", "Lot", "Verified: these {n} records are exactly the ones {shop} signed",
       "This passport does not verify", "Timeline", "By", "lot", "Corrects record", "Nothing has been recorded "
       "for this product yet.", "Places", "Certificates", "Footprint", "Production", "Delivery from our nearest "
       "warehouse", "not recorded", "not known", "Total", "Check it yourself", "QR code linking to this passport",
       "Download the signed passport (JSON)", "The shop's public keys (JWKS)", "Download the QR code (SVG)",
       "Each record carries the SHA-256 hash of the one before it; the newest hash is signed with the shop's "
       "Ed25519 key (JWS, EdDSA). Recompute the hashes from the JSON and check the signature with the key set "
       "above: no need to trust this page.", "Raw material", "Production", "Quality check", "Packing", "Shipping")
_FR = ("Passeport produit", "Lot", "Vérifié : ces {n} enregistrements sont exactement ceux que {shop} a signés",
       "Ce passeport n'est pas vérifié", "Parcours", "Par", "lot", "Corrige l'enregistrement", "Rien n'a encore "
       "été enregistré pour ce produit.", "Lieux", "Certificats", "Empreinte", "Production", "Livraison depuis "
       "notre entrepôt le plus proche", "non renseignée", "inconnue", "Total", "Vérifiez par vous-même",
       "QR code menant à ce passeport", "Télécharger le passeport signé (JSON)", "Les clés publiques de la "
       "boutique (JWKS)", "Télécharger le QR code (SVG)", "Chaque enregistrement porte l'empreinte SHA-256 du "
       "précédent ; la plus récente est signée avec la clé Ed25519 de la boutique (JWS, EdDSA). Recalculez les "
       "empreintes depuis le JSON et vérifiez la signature avec les clés ci-dessus : inutile de faire confiance "
       "à cette page.", "Matière première", "Production", "Contrôle qualité", "Emballage", "Expédition")
_DE = ("Produktpass", "Charge", "Geprüft: Diese {n} Einträge sind genau die, die {shop} signiert hat",
       "Dieser Produktpass ist nicht gültig", "Verlauf", "Von", "Charge", "Berichtigt Eintrag", "Für dieses "
       "Produkt wurde noch nichts erfasst.", "Orte", "Zertifikate", "CO₂-Fußabdruck", "Herstellung", "Lieferung "
       "aus unserem nächstgelegenen Lager", "nicht erfasst", "nicht bekannt", "Gesamt", "Selbst prüfen",
       "QR-Code zu diesem Produktpass", "Signierten Produktpass herunterladen (JSON)", "Öffentliche Schlüssel "
       "des Shops (JWKS)", "QR-Code herunterladen (SVG)", "Jeder Eintrag enthält den SHA-256-Hash des "
       "vorherigen; der neueste Hash ist mit dem Ed25519-Schlüssel des Shops signiert (JWS, EdDSA). Berechnen "
       "Sie die Hashes aus dem JSON nach und prüfen Sie die Signatur mit den Schlüsseln oben: Dieser Seite "
       "müssen Sie nicht vertrauen.", "Rohstoff", "Herstellung", "Qualitätsprüfung", "Verpackung", "Versand")
_ES = ("Pasaporte del producto", "Lote", "Verificado: estos {n} registros son exactamente los que firmó {shop}",
       "Este pasaporte no se verifica", "Trayectoria", "Por", "lote", "Corrige el registro", "Todavía no se ha "
       "registrado nada para este producto.", "Lugares", "Certificados", "Huella", "Producción", "Envío desde "
       "nuestro almacén más cercano", "sin registrar", "desconocida", "Total", "Compruébalo tú mismo",
       "Código QR que enlaza con este pasaporte", "Descargar el pasaporte firmado (JSON)", "Las claves públicas "
       "de la tienda (JWKS)", "Descargar el código QR (SVG)", "Cada registro lleva el hash SHA-256 del anterior; "
       "el más reciente está firmado con la clave Ed25519 de la tienda (JWS, EdDSA). Recalcula los hashes a "
       "partir del JSON y comprueba la firma con las claves de arriba: no hace falta confiar en esta página.",
       "Materia prima", "Producción", "Control de calidad", "Embalaje", "Envío")
_IT = ("Passaporto del prodotto", "Lotto", "Verificato: questi {n} record sono esattamente quelli firmati da "
       "{shop}", "Questo passaporto non è verificato", "Percorso", "Da", "lotto", "Corregge il record", "Per "
       "questo prodotto non è ancora stato registrato nulla.", "Luoghi", "Certificati", "Impronta", "Produzione",
       "Spedizione dal nostro magazzino più vicino", "non registrata", "non nota", "Totale", "Verifica tu stesso",
       "Codice QR che porta a questo passaporto", "Scarica il passaporto firmato (JSON)", "Le chiavi pubbliche "
       "del negozio (JWKS)", "Scarica il codice QR (SVG)", "Ogni record contiene l'hash SHA-256 del precedente; "
       "il più recente è firmato con la chiave Ed25519 del negozio (JWS, EdDSA). Ricalcola gli hash dal JSON e "
       "verifica la firma con le chiavi qui sopra: non serve fidarsi di questa pagina.", "Materia prima",
       "Produzione", "Controllo qualità", "Imballaggio", "Spedizione")
_JA = ("製品パスポート", "ロット", "確認済み：これらの{n}件の記録は{shop}が署名したものと完全に一致します",
       "このパスポートは検証できません", "経緯", "担当", "ロット", "訂正対象の記録", "この製品の記録はまだありません。",
       "場所", "認証", "環境負荷", "製造", "最寄りの倉庫からの配送", "未記録", "不明", "合計", "ご自身で確認",
       "このパスポートへのQRコード", "署名付きパスポートをダウンロード（JSON）", "ショップの公開鍵（JWKS）",
       "QRコードをダウンロード（SVG）", "各記録には直前の記録のSHA-256ハッシュが含まれ、最新のハッシュはショップの"
       "Ed25519鍵で署名されています（JWS、EdDSA）。JSONからハッシュを再計算し、上の鍵で署名を確認できます。"
       "このページを信頼する必要はありません。", "原材料", "製造", "品質検査", "梱包", "出荷")
_ZH = ("产品护照", "批次", "已验证：这{n}条记录与{shop}签名的记录完全一致", "此护照未通过验证", "履历", "执行方",
       "批次", "更正记录", "该产品尚无任何记录。", "地点", "证书", "碳足迹", "生产", "从最近的仓库配送", "未记录",
       "未知", "合计", "自行验证", "指向此护照的二维码", "下载已签名的护照（JSON）", "店铺公钥（JWKS）",
       "下载二维码（SVG）", "每条记录都包含前一条记录的 SHA-256 哈希值，最新的哈希值由店铺的 Ed25519 密钥签名"
       "（JWS，EdDSA）。您可以根据 JSON 重新计算哈希值，并用上方的密钥验证签名：无需信任本页面。", "原材料", "生产",
       "质量检验", "包装", "运输")

TEXTS: dict[str, dict[str, str]] = {
    language: dict(zip(KEYS, words, strict=True))
    for language, words in (("en", _EN), ("fr", _FR), ("de", _DE), ("es", _ES), ("it", _IT), ("ja", _JA),
                            ("zh-CN", _ZH))
}

STAGE_KEYS = {"raw_material": "raw_material", "production": "production_stage", "quality_check": "quality_check",
              "packing": "packing", "shipping": "shipping"}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])
