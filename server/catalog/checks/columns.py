"""Which feed columns (or XML elements) mean something, and the word a merchant gets for the others.

A column nobody reads is reported once, by its header, with the nearest name that would be read:
"'Item titel' is not a Merchant Center column; did you mean 'title'?". Merchant Center attributes
that TikTok has no place for (shipping, tax, ...) and the RSS/Atom envelope are known, not reported.
"""
import difflib
import re

from server.catalog.checks.fields import LOOKUP

GOOGLE = "http://base.google.com/ns/1.0"
ID_COLUMNS = frozenset(name for name, ours in LOOKUP.items() if ours == "id")
# Read elsewhere (visibility and categories), by the feed envelope, or Merchant Center attributes
# with no TikTok field: known, never reported.
READ_ELSEWHERE = {"status", "draft", "hidden", "visibility", "category_ids", "categories", "category"}
ENVELOPE = {"guid", "pubdate", "updated", "published", "author", "comments", "enclosure", "source", "tagline",
            "contributor", "rights", "issued", "modified", "created", "dc:date", "slash:comments"}
MERCHANT_CENTER_UNUSED = {
    "shipping", "shipping_label", "shipping_length", "shipping_width", "shipping_height", "ships_from_country",
    "transit_time_label", "max_handling_time", "min_handling_time", "tax", "tax_category", "identifier_exists",
    "mobile_link", "canonical_link", "multipack", "is_bundle", "adult", "energy_efficiency_class",
    "min_energy_efficiency_class", "max_energy_efficiency_class", "unit_pricing_measure",
    "unit_pricing_base_measure", "excluded_destination", "included_destination", "shopping_ads_excluded_country",
    "availability_date", "expiration_date", "cost_of_goods_sold", "promotion_id", "ads_redirect", "ads_grouping",
    "ads_labels", "size_type", "size_system", "product_highlight", "product_detail", "lifestyle_image_link",
    "short_title", "pause", "external_seller_id", "certification", "sell_on_google_quantity", "quantity",
    "installment", "subscription_cost", "loyalty_program", "product_length", "product_width", "product_height",
    "product_weight", "item_group_title", "display_ads_id", "display_ads_title", "display_ads_link",
    "display_ads_similar_id", "display_ads_value", "custom_number_0", "custom_number_1", "custom_number_2",
    "custom_number_3", "custom_number_4", "virtual_model_link", "disclosure_date", "free_shipping_threshold",
    # Google Ads custom feeds, Meta and TikTok catalog templates: columns with no TikTok product field.
    "id2", "item_subtitle", "formatted_price", "formatted_sale_price", "contextual_keywords", "item_address",
    "tracking_template", "custom_parameter", "final_mobile_url", "android_app_link", "ios_app_link",
    "ios_app_store_id", "similar_ids", "fb_product_category", "quantity_to_sell_on_facebook", "inventory",
    "commerce_tax_category", "origin_country", "importer_name", "importer_address", "manufacturer_info",
    "wa_compliance_category", "ios_url", "ios_app_name", "android_url", "android_package", "android_app_name",
    "iphone_url", "ipad_url",
}
KNOWN = frozenset(LOOKUP) | READ_ELSEWHERE | ENVELOPE | MERCHANT_CENTER_UNUSED
# The names a suggestion may point to: ours, as Merchant Center spells them.
SUGGESTIONS = sorted({"id", "title", "description", "link", "image_link", "additional_image_link",
                      "availability", "condition", "price", "sale_price", "sale_price_effective_date", "brand",
                      "item_group_id", "gtin", "mpn", "google_product_category", "product_type", "color", "size",
                      "gender", "age_group", "material", "pattern", "shipping_weight", "video_link",
                      *(f"custom_label_{n}" for n in range(5))})
SHOWN = 10
META_LIST_COLUMN = re.compile(r"^[a-z_]+\[\d+\]")  # Meta's product_tags[0], style[0], video[0].tag[0]


def has_id(header):
    """Whether a feed header (column names as read) has a column for the product id."""
    return any(name in ID_COLUMNS for name in header)


def unknown_column_notices(names, *, xml=False):
    """Sentences for the columns (``{name as read: name as written}``) nothing reads, once each."""
    unknown = [(read, written) for read, written in names.items()
               if read and read not in KNOWN and not META_LIST_COLUMN.match(read)]
    kind = "element" if xml else "column"
    notices = []
    for read, written in unknown[:SHOWN]:
        nearest = _nearest(read)
        hint = f"; did you mean '{nearest[0]}'?" if nearest else "; it is ignored"
        notices.append(f"'{written.strip()}' is not a Merchant Center {kind}{hint}")
    if len(unknown) > SHOWN:
        notices.append(f"... and {len(unknown) - SHOWN} more unknown {kind}s, ignored")
    return notices


def _nearest(name):
    """The known name closest to ``name``, trying its words from the end too ("item_titel")."""
    words = name.replace("-", "_").split("_")
    for start in range(len(words)):
        tail = "_".join(words[start:])
        if start and len(tail) < 4:
            break  # "customer_id" is not a misspelt "id"
        nearest = difflib.get_close_matches(tail, SUGGESTIONS, n=1, cutoff=0.75 if start else 0.6)
        if nearest:
            return nearest
    return []
