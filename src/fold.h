/*
 * fold.h: text folded for search, so that what a counsellor types finds a
 * name however it was spelt: without case, without diacritics, with the
 * letters that have several written forms reduced to one.
 *
 *   Latin       lower case; accents and other marks dropped (é -> e, ñ -> n);
 *               letters without a decomposition spelt out (ø -> o, æ -> ae,
 *               œ -> oe, ß -> ss, ł -> l, đ ð -> d, þ -> th, ı -> i)
 *   Greek,      lower case, accents dropped (final sigma -> sigma)
 *   Cyrillic
 *   Arabic      alef forms (أ إ آ ٱ) -> ا; hamza on a carrier (ؤ ئ) -> the
 *               carrier (و ي), a hamza alone is dropped; taa marbuta ة -> ه;
 *               alef maksura ى -> ي; tatweel and harakat dropped; Arabic-Indic
 *               digits -> 0-9
 *   Persian     yeh ی -> ي, keheh ک -> ك, heh forms (ۀ ہ ە ھ) -> ه,
 *               zero-width non-joiner dropped
 *   everything  apostrophes dropped (O'Brien -> obrien); other punctuation,
 *               symbols and spaces become one space; leading and trailing
 *               spaces removed; invisible direction marks dropped
 *
 * Pure: no locale, no allocation besides the result.  The same function
 * folds what is indexed and what is searched, so both always agree.
 */
#ifndef HW_FOLD_H
#define HW_FOLD_H

/*
 * s folded as above (NULL counts as ""): a new UTF-8 string the caller
 * frees, or NULL when out of memory.  A malformed byte becomes U+FFFD.
 */
char *fold_text(const char *s);

#endif
