/*
 * iso.h: the country and language codes a case may hold, ISO 3166-1
 * alpha-2 and ISO 639 (two- and three-letter), with their English names
 * (data/iso3166-1.tsv, data/iso639.tsv, compiled in).  Front ends show the
 * names in the reader's language where a catalogue has them.
 */
#ifndef HW_ISO_H
#define HW_ISO_H

/* The English name of a country code ("NG": "Nigeria"); NULL when code is not one. */
const char *iso_country_name(const char *code);

/*
 * The English name of a language tag's first subtag ("ha", "prs", "en" of
 * "en-GB"); NULL when it is not an ISO 639 code.
 */
const char *iso_language_name(const char *tag);

#endif
